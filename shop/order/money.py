"""One money truth per order: what it is worth, what was paid, what is owed either way.

Every screen, e-mail, export and report that shows an order's money reads it here: the
buyer's order page, the shortfall e-mail, the driver card and its "已收款" button, the run
sheet (screen, PDF, XLSX), the dashboard order page, the team reports, the impact page
and the household payouts. Nothing else adds up cuts, refunds or payments.

The rule, for one order:

* ``goods``: its lines as placed; ``fees``: delivery fee and surcharges;
* ``cuts``: what shortfalls took away (``fulfilment.LineCut``);
* ``weighed``: what real weights changed on lines priced by weight (``fulfilment.LineWeight``,
  above zero the birds weighed more than the estimate the buyer paid);
* ``adjustments``: refunds the team gave for lines (damaged goods and the like), which
  lower what the order is worth; refunds that pay back a cut or a cancellation do not
  (the cut or the cancellation already did);
* ``due``: goods − cuts − adjustments + weighed + fees, and nothing once the order is cancelled;
* ``paid``: online (Stripe) and in cash at hand-over; ``refunds_paid``: refunds that went
  through (Stripe said so, or cash was handed back);
* the balance ``paid − refunds_paid − due``: above zero it is a refund owed to the buyer,
  below zero it is what the buyer still pays (cash at hand-over for pay on pickup).

So a pay-on-pickup order that is cut simply owes less and is promised no refund, and an
online-paid one is owed the cut until the refund goes through. An order paid online that
owes more afterwards (its birds weighed more, or the buyer made it bigger and has not paid
the rest online, ``shop.payment.pay_rest``) owes the rest in cash at hand-over
(``cash_to_collect``), and so does a standing order paid online per order that was not paid
before its run set off. All figures for any
number of orders come from four queries (``for_orders``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import units as unit_rules
from fulfilment.allocation import PRIORITY_TIERS
from fulfilment.models import Allocation, DeliveryRun, LineCut
from shop.order import status as statuses
from shop.payment.methods import PAY_ON_PICKUP, STRIPE

Line = get_model("order", "Line")
Source = get_model("payment", "Source")
Refund = get_model("payment", "Refund")

ZERO = Decimal("0.00")
# Refunds that lower what an order is worth (not yet failed).
ADJUSTING_STATES = ("pending", "succeeded", "cash_owed")


@dataclass(frozen=True)
class OrderMoney:
    method: str = ""
    goods: Decimal = ZERO
    fees: Decimal = ZERO
    cuts: Decimal = ZERO
    adjustments: Decimal = ZERO
    cancelled: bool = False
    awaiting_payment: bool = False  # "待付款": placed at checkout, its payment not in yet
    paid_online: Decimal = ZERO
    paid_cash: Decimal = ZERO
    refunds_paid: Decimal = ZERO
    weighed: Decimal = ZERO
    by_weight: bool = False  # some line was weighed (``shop.order.weighing``)
    cut_units: dict = field(default_factory=dict, compare=False)  # {line id: units cut}

    @property
    def is_pay_on_pickup(self):
        return self.method == PAY_ON_PICKUP

    @property
    def is_online(self):
        return self.method == STRIPE

    @property
    def goods_due(self):
        """The goods the buyer gets, in money: lines less cuts and adjustments."""
        if self.cancelled:
            return ZERO
        return max(ZERO, self.goods - self.cuts - self.adjustments + self.weighed)

    @property
    def due(self):
        return ZERO if self.cancelled else self.goods_due + self.fees

    @property
    def paid(self):
        return self.paid_online + self.paid_cash

    @property
    def balance(self):
        return self.paid - self.refunds_paid - self.due

    @property
    def refund_owed(self):
        return max(ZERO, self.balance)

    @property
    def still_to_pay(self):
        return max(ZERO, -self.balance)

    @property
    def cash_to_collect(self):
        """What the driver takes in at hand-over: what is still due on a pay-on-pickup order;
        on an order paid online, what it came to owe after the payment (a weight's extra, or
        a bigger order's rest not paid online) and was not paid online since; on an online
        order placed for the buyer without waiting for a payment (a standing order paid
        online per order, ``shop.payment.pay_rest``), what was not paid online in time. Only
        an order still waiting at checkout for its payment ("待付款") owes nothing in cash:
        it is cancelled if the payment never comes."""
        if self.is_pay_on_pickup:
            return self.still_to_pay
        if self.paid_online > 0 or (self.is_online and not self.awaiting_payment):
            return self.still_to_pay
        return ZERO

    @property
    def settled(self):
        return self.balance == 0

    @property
    def pay_state(self):
        """Where the order's money stands, in one word the team pages turn into a label:
        ``cancelled``; ``refund`` (money owed back); ``collect`` (cash to take at hand-over);
        ``unpaid`` (an online payment still missing); ``paid`` (nothing left either way)."""
        if self.cancelled and not self.refund_owed:
            return "cancelled"
        if self.refund_owed:
            return "refund"
        if self.cash_to_collect:
            return "collect"
        if self.still_to_pay:
            return "unpaid"
        return "paid"


def after_a_cut(order_money):
    """What a cut means for the buyer's money, in one sentence (the shortfall e-mail and
    text message): a refund only when money was taken, else less to pay."""

    if order_money.refund_owed:
        return _("¥%(amount)s 会原路退回给您。") % {"amount": order_money.refund_owed}
    if order_money.cash_to_collect:
        return _("取货时按调整后的金额付款：¥%(amount)s。") % {
            "amount": order_money.cash_to_collect
        }
    return _("调整后订单应付 ¥%(amount)s。") % {"amount": order_money.due}


def _money(value):
    return (value or ZERO).quantize(Decimal("0.01"))


def for_orders(orders):
    """{order id: ``OrderMoney``} for ``orders`` (objects), in four queries."""
    orders = [order for order in orders if order is not None]
    ids = [order.pk for order in orders]
    if not ids:
        return {}
    goods, weighed, by_weight = {}, {}, set()
    for order_id, total, weight_change, weighed_lines in (
        Line.objects.filter(order_id__in=ids)
        .values_list("order_id")
        .annotate(
            total=Sum("line_price_incl_tax"),
            weighed=Sum("weighing__amount"),
            weighed_lines=Count("weighing"),
        )
        .order_by()
    ):
        goods[order_id] = total
        weighed[order_id] = weight_change
        if weighed_lines:
            by_weight.add(order_id)
    cut_units, cut_money = defaultdict(dict), defaultdict(Decimal)

    for order_id, line_id, units, amount in (
        LineCut.objects.filter(line__order_id__in=ids)
        .values_list("line__order_id", "line_id")
        .annotate(units=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    ):
        cut_units[order_id][line_id] = units
        cut_money[order_id] += amount
    methods, online, cash = {}, defaultdict(Decimal), defaultdict(Decimal)
    for order_id, code, debited in (
        Source.objects.filter(order_id__in=ids)
        .values_list("order_id", "source_type__code")
        .annotate(debited=Sum("amount_debited"))
        .order_by("order_id", "source_type__code")
    ):
        if code == STRIPE or order_id not in methods:
            methods[order_id] = code  # a weight's extra taken in cash keeps it paid online
        if code == PAY_ON_PICKUP:
            cash[order_id] += debited or ZERO
        else:
            online[order_id] += debited or ZERO
    adjustments, refunded = defaultdict(Decimal), defaultdict(Decimal)
    for order_id, state, reason, linked, amount in (
        Refund.objects.filter(order_id__in=ids)
        .values_list("order_id", "state", "reason", "owed_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if state == Refund.State.SUCCEEDED:
            refunded[order_id] += amount
        if state in ADJUSTING_STATES and linked is None and reason != Refund.Reason.CANCELLED:
            adjustments[order_id] += amount
    result = {}
    for order in orders:
        pk = order.pk
        goods_total = _money(goods.get(pk))
        result[pk] = OrderMoney(
            method=methods.get(pk, ""),
            goods=goods_total,
            fees=max(ZERO, _money(order.total_incl_tax) - goods_total),
            cuts=_money(cut_money.get(pk)),
            adjustments=_money(adjustments.get(pk)),
            cancelled=order.status == statuses.CANCELLED,
            awaiting_payment=order.status == statuses.PENDING_PAYMENT,
            paid_online=_money(online.get(pk)),
            paid_cash=_money(cash.get(pk)),
            refunds_paid=_money(refunded.get(pk)),
            weighed=_money(weighed.get(pk)),
            by_weight=pk in by_weight,
            cut_units=dict(cut_units.get(pk, {})),
        )
    return result


def of(order):
    """The ``OrderMoney`` of one order: read now, unless a page computed it for many
    orders at once (``attach``)."""
    cached = order.__dict__.get("_money")
    if cached is None:
        cached = for_orders([order])[order.pk]
    return cached


def attach(orders):
    """Compute the money of many orders at once and keep it on each, for a page that shows
    many (the driver view, the run sheet): ``of`` then reads it without a query."""
    for order in orders:
        order.__dict__.pop("_money", None)
    computed = for_orders(orders)
    for order in orders:
        order.__dict__["_money"] = computed[order.pk]
    return orders


def forget(order):
    order.__dict__.pop("_money", None)


# --- the same rule over many lines, for reports and the impact page -----------------

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _per_line(queryset, field, output):
    grouped = queryset.values("line").annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(grouped, output_field=output), Value(0), output_field=output)


def counted_lines():
    """Lines of goods handed over, annotated with ``net_amount`` (the line less what
    shortfalls cut and what the team refunded for it, re-priced by a recorded weight) and ``net_quantity`` (units the buyer
    got). Reports, the impact page and the checks of household credits all start here."""

    RefundLine = get_model("payment", "RefundLine")
    cuts = LineCut.objects.filter(line=OuterRef("pk"))
    adjusting = RefundLine.objects.filter(
        line=OuterRef("pk"),
        refund__state__in=ADJUSTING_STATES,
        refund__owed__isnull=True,
    ).exclude(refund__reason=Refund.Reason.CANCELLED)
    return (
        Line.objects.filter(order__status__in=statuses.DELIVERED)
        .exclude(status__in=(statuses.CANCELLED, statuses.CUT))
        .annotate(
            net_amount=F("line_price_incl_tax")
            + Coalesce(F("weighing__amount"), Value(0), output_field=MONEY_FIELD)
            - _per_line(cuts, "amount", MONEY_FIELD)
            - _per_line(adjusting, "amount", MONEY_FIELD),
            net_quantity=F("quantity") - _per_line(cuts, "quantity", IntegerField()),
        )
    )


# --- what each household is credited, per order ------------------------------------


@dataclass(frozen=True)
class Credit:
    """Units of one order line supplied by one household, and the money credited for them."""

    order_id: int
    line_id: int
    household_id: int
    product_id: int
    quantity: int
    amount: Decimal
    by_weight: Decimal = ZERO  # what the real weight added to (or took off) ``amount``


def credits_for_run(run):
    """[``Credit``] for every line the run carries.

    The run's ``fulfilment.Allocation`` rows say how many units of each product each
    household is credited (shared out at cut-off, priority households first, reduced by
    shortfalls). Here those units are laid over the orders' lines: priority households'
    units fill the earliest orders first, each line only up to what it still holds after
    cuts. The credits of one household add up to its allocations, so its payout, its page
    and every order receipt agree. A line priced by weight and weighed credits its
    households by the real weight: their units' price scales as the line's value did
    (``by_weight`` says by how much; ``weight_credits`` gives payouts and reports the sum).
    """

    tier = {name: index for index, name in enumerate(PRIORITY_TIERS)}
    allocations = sorted(
        Allocation.objects.filter(run=run, quantity__gt=0).select_related("household"),
        key=lambda a: (tier.get(a.household.status, len(tier)), a.household_id),
    )
    lines = list(
        Line.objects.filter(order__run_link__run=run)
        .exclude(order__status=statuses.CANCELLED)
        .exclude(status__in=(statuses.CANCELLED, statuses.CUT))
        .order_by("order__date_placed", "pk")
        .values_list(
            "pk", "order_id", "product_id", "quantity", "weighing__charged", "weighing__amount"
        )
    )
    cut = dict(
        LineCut.objects.filter(line_id__in=[line[0] for line in lines])
        .values_list("line_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    open_lines = defaultdict(list)
    for line_id, order_id, product_id, quantity, charged, weight_change in lines:
        left = quantity - cut.get(line_id, 0)
        scale = Decimal(1)
        if charged:  # weighed: the real value over what the estimate charged
            scale = (charged + weight_change) / charged
        if left > 0:
            open_lines[product_id].append([line_id, order_id, left, scale, 0])
    credits = []
    for row in allocations:
        units = row.quantity
        for entry in open_lines.get(row.product_id, ()):
            if units <= 0:
                break
            take = min(units, entry[2])
            if take <= 0:
                continue
            entry[2] -= take
            units -= take
            at_estimate = _money(row.unit_price * take)
            amount = at_estimate
            if entry[3] != 1:  # rounded as a running total, so a line's credits add up
                done = entry[4]
                amount = _money(row.unit_price * (done + take) * entry[3]) - _money(
                    row.unit_price * done * entry[3]
                )
            entry[4] += take
            credits.append(
                Credit(
                    order_id=entry[1],
                    line_id=entry[0],
                    household_id=row.household_id,
                    product_id=row.product_id,
                    quantity=take,
                    amount=amount,
                    by_weight=amount - at_estimate,
                )
            )
    return credits


def weight_credits(allocations):
    """{(run id, household id, product id): what real weights add to (or take off) the
    credit of those ``fulfilment.Allocation`` rows (their products loaded)}, for the
    payouts and the household's page, which start from allocations (units × price). No
    query unless a product is priced by weight."""

    return weight_credits_of_runs(
        {row.run_id for row in allocations if unit_rules.by_weight(row.product) is not None}
    )


def weight_credits_of_runs(run_ids):
    """As ``weight_credits``, for the runs ``run_ids``: only runs with a weighed line are
    laid out (``credits_for_run``)."""

    result = defaultdict(Decimal)
    if not run_ids:
        return result
    weighed_runs = DeliveryRun.objects.filter(
        pk__in=run_ids, order_links__order__lines__weighing__isnull=False
    ).distinct()
    for run in weighed_runs:
        for credit in credits_for_run(run):
            if credit.by_weight:
                result[(run.pk, credit.household_id, credit.product_id)] += credit.by_weight
    return result
