"""A buyer changes their own order until the run's cut-off.

The buyer's page (signed in, or the guest's signed link) posts the new quantity of each
line, products to add from the same team's run, and the pickup stop or delivery zone of
the same run. ``plan_change`` checks the request (``ChangeRefused`` with the buyer's
reasons, nothing written), takes the extra room in the car the way checkout does
(``fulfilment.runs.take_room``: conditional updates, given back when anything after it
fails; ``shop.order.life.change_order`` does both), and ``life.changed_by_buyer`` takes the
extra stock (``shop.partner.reservations.take``, conditional), writes the lines, the
run link, the order's totals, an order note and a "应付" payment event, and the refund
owed, in one transaction. Money is then read back through ``shop.order.money`` like any
other order; the team's lists read the order's lines and follow by themselves.

Money: a pay-on-pickup order simply owes the new amount at hand-over; an order paid online
that shrinks is owed the difference back (a ``RefundOwed`` the payments side pays through
Stripe); one that grows owes the difference, which the buyer pays online right away or
later before the cut-off (``shop.payment.pay_rest``), else in cash at hand-over.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from catalogue import units
from fulfilment import runs, supply
from fulfilment.models import DeliveryRun, OrderRun
from shop.order import money
from shop.order import status as S
from shop.payment.models import RefundLine
from shop.shipping.methods import delivery_name, pickup_name
from shop.shipping.repository import address_text

Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

# A buyer's line holds at most this many units (a canteen's box order stays well below).
MAX_UNITS = 500
ZERO = Decimal("0.00")


class ChangeRefused(Exception):
    """The change cannot be made; ``messages`` says why, in the buyer's language."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def paid_online(order_money):
    """The order's money was taken online (a smaller order is owed back the difference, a
    bigger one owes the rest, ``shop.payment.pay_rest``)."""
    return order_money.paid_online > 0


def _link(order):
    try:
        return order.run_link
    except OrderRun.DoesNotExist:
        return None


def why_not_changeable(order):
    """None when the buyer may still change ``order``, else the reason."""
    if order.status == S.CANCELLED:
        return _("订单已经取消了，不能修改。")
    if order.status == S.PENDING_PAYMENT:
        return _("订单还在等待在线付款，请先完成付款再修改。")
    if order.status != S.PLACED:
        return _("工作队已经开始处理这个订单，不能再修改，请联系工作队。")
    link = _link(order)
    if link is None:
        return _("这个订单没有配送批次，不能在网上修改。")
    if not link.run.is_open_for_orders:
        return _("配送批次已截单，订单不能再修改，请联系工作队。")
    if order.discounts.exists():
        return _("用了优惠的订单不能在网上修改，请联系工作队。")
    return None


# --- what the buyer can choose ----------------------------------------------------------


def products_on_run(run):
    """{product id: (product, stock record)} the run's team sells: what may be added."""
    records = (
        StockRecord.objects.filter(partner_id=run.team_id, product__is_public=True)
        .select_related("product__product_class", "product__parent")
        .order_by("product__title", "pk")
    )
    found = {}
    for record in records:
        if record.product.is_parent:
            continue
        found.setdefault(record.product_id, (record.product, record))
    return found


def places_on_run(run, order):
    """[(RunChoice code, label)]: the run's pickup stops and the zones that serve the
    order's address (a zone needs the address it brings the goods to)."""
    places = [
        (runs.RunChoice.at_stop(stop).code, pickup_name(stop))
        for stop in run.stops.select_related("point", "run")
    ]
    text, postcode = address_text(order.shipping_address)
    for zone in run.zones.all():
        if text and zone.covers(text, postcode):
            places.append((runs.RunChoice.to_zone(run, zone).code, delivery_name(run, zone)))
    return places


def current_place(order):
    link = _link(order)
    if link is None:
        return ""
    return runs.RunChoice(link.run_id, pickup_id=link.pickup_id, zone_id=link.zone_id).code


# --- the plan ---------------------------------------------------------------------------


@dataclass
class NewLine:
    product: object
    stockrecord: object
    quantity: int
    unit_price: Decimal

    pk = None  # read by the run's room checks, as a basket line's

    @property
    def product_id(self):
        return self.product.pk


@dataclass
class _ExtraUnits:
    """The units a change adds, shaped as the basket the run's room checks read."""

    lines: list

    def all_lines(self):
        return self.lines


@dataclass
class Plan:
    """What a change will write: ``quantities`` {existing line: new quantity} (0 removes
    it), ``additions`` [NewLine], the run ``choice`` and the order's new money."""

    order: object
    run: object
    quantities: dict
    additions: list
    choice: runs.RunChoice
    goods: Decimal
    fee: Decimal
    before: money.OrderMoney
    summary: list = field(default_factory=list)

    @property
    def due(self):
        """What the order is worth after the change, by ``shop.order.money``'s rule (what
        the team refunded for other lines stays taken off)."""
        before = self.before
        return max(ZERO, self.goods - before.cuts - before.adjustments) + self.fee

    @property
    def refund(self):
        """Money paid online that the smaller order gives back: what is paid beyond the new
        amount, less what was owed back already (an order that grew and whose rest is not
        paid yet first owes less)."""
        if not paid_online(self.before):
            return ZERO
        after = self.before.balance + self.before.due - self.due
        return max(ZERO, max(ZERO, after) - self.before.refund_owed)

    def increases(self):
        """[(product, stock record, extra units)] the change adds."""
        extra = [
            (line.product, line.stockrecord, quantity - line.quantity)
            for line, quantity in self.quantities.items()
            if quantity > line.quantity
        ]
        extra += [(new.product, new.stockrecord, new.quantity) for new in self.additions]
        return extra

    def decreases(self):
        return [
            (line, line.quantity - quantity)
            for line, quantity in self.quantities.items()
            if quantity < line.quantity
        ]

    def new_quantities(self):
        """{product id: units} the order holds after the change."""
        held = {}
        for line, quantity in self.quantities.items():
            if quantity and line.product_id:
                held[line.product_id] = held.get(line.product_id, 0) + quantity
        for new in self.additions:
            held[new.product_id] = held.get(new.product_id, 0) + new.quantity
        return held

    def extra_basket(self):
        lines = [NewLine(p, record, units, ZERO) for p, record, units in self.increases()]
        return _ExtraUnits([line for line in lines if line.product is not None])


def _refunded(line):

    return line.cuts.exists() or RefundLine.objects.filter(line=line).exists()


def _whole(raw, title):
    raw = (raw or "").strip()
    if raw == "":
        return None
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits.isdecimal():
        raise ChangeRefused([_("“%(title)s”的数量请填整数。") % {"title": title}])
    value = int(raw)
    if value < 0:
        raise ChangeRefused([_("“%(title)s”的数量不能小于 0。") % {"title": title}])
    if value > MAX_UNITS:
        raise ChangeRefused(
            [_("“%(title)s”一单最多 %(max)s。") % {"title": title, "max": MAX_UNITS}]
        )
    return value


def plan_change(order, quantities, additions, place_code):
    """Check the buyer's request and return the ``Plan``, or raise ``ChangeRefused``.

    ``quantities`` {line id: raw text}; ``additions`` [(product id text, raw quantity)];
    ``place_code`` a ``RunChoice`` code of the order's own run."""
    reason = why_not_changeable(order)
    if reason:
        raise ChangeRefused([reason])
    link = order.run_link
    run = DeliveryRun.objects.get(pk=link.run_id)
    lines = {line.pk: line for line in order.lines.select_related("product", "stockrecord")}
    new_quantities = _new_quantities(lines, quantities)
    added = _added_lines(run, lines, new_quantities, additions)
    if not any(new_quantities.values()) and not added:
        raise ChangeRefused([_("订单里至少要留一样商品；不要了请取消订单。")])
    choice = _chosen_place(order, run, place_code)
    goods = sum(
        (
            (line.unit_price_incl_tax or ZERO) * quantity
            for line, quantity in new_quantities.items()
        ),
        ZERO,
    ) + sum((new.unit_price * new.quantity for new in added), ZERO)
    fee = _delivery_fee(run, choice, goods)
    before = money.of(order)
    plan = Plan(order, run, new_quantities, added, choice, goods, fee, before)
    plan.summary = _summary(plan, link)
    if not plan.summary:
        raise ChangeRefused([_("没有改动。")])
    short = _short(plan)
    if short:
        raise ChangeRefused(short)
    return plan


def _new_quantities(lines, quantities):
    """{line: quantity wanted} for every line of the order (unchanged when not asked);
    refuses lines of another order, refunded lines changed and withdrawn products grown."""
    new_quantities = {}
    for line_id, raw in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise ChangeRefused([_("这一行不属于这个订单。")])
        quantity = _whole(raw, line.title)
        if quantity is not None:
            new_quantities[line] = quantity
    for line in lines.values():
        new_quantities.setdefault(line, line.quantity)
        if new_quantities[line] != line.quantity and _refunded(line):
            raise ChangeRefused([_("“%(title)s”已有退款记录，不能再改。") % {"title": line.title}])
        if new_quantities[line] > line.quantity and line.product is None:
            raise ChangeRefused([_("“%(title)s”已经下架，不能再加。") % {"title": line.title}])
    return new_quantities


def _added_lines(run, lines, new_quantities, additions):
    """The ``NewLine``s the buyer adds from the run's products. A product already in the
    order grows its line in ``new_quantities`` instead, at the price it was bought at."""
    on_run = products_on_run(run)
    strategy = Selector().strategy()
    added = []
    for raw_product, raw_quantity in additions:
        raw_product = (raw_product or "").strip()
        if not raw_product:
            continue
        if not raw_product.isdecimal() or int(raw_product) not in on_run:
            raise ChangeRefused([_("这个商品不在这个配送批次上，不能加进订单。")])
        product, record = on_run[int(raw_product)]
        quantity = _whole(raw_quantity, product.get_title())
        if not quantity:
            raise ChangeRefused(
                [_("请填写要加的“%(title)s”的数量。") % {"title": product.get_title()}]
            )
        same = [line for line in lines.values() if line.product_id == product.pk]
        if same:
            _grow(new_quantities, same[0], quantity, product)
            continue
        info = strategy.fetch_for_product(product, record)
        if not info.availability.is_available_to_buy or info.price.incl_tax is None:
            raise ChangeRefused([_("“%(title)s”现在买不到了。") % {"title": product.get_title()}])
        added.append(NewLine(product, record, quantity, info.price.incl_tax))
    return added


def _grow(new_quantities, line, quantity, product):
    new_quantities[line] += quantity
    if new_quantities[line] > MAX_UNITS:
        raise ChangeRefused(
            [_("“%(title)s”一单最多 %(max)s。") % {"title": product.get_title(), "max": MAX_UNITS}]
        )


def _chosen_place(order, run, place_code):
    """The ``RunChoice`` the order goes to: the one asked for on this run, else where it
    goes now; a code that is not a place of this run is refused."""
    choice = runs.RunChoice.from_code(place_code) if place_code else None
    if choice is None or choice.run_id != run.pk:
        choice = runs.RunChoice.from_code(current_place(order))
    if place_code and place_code not in {code for code, _label in places_on_run(run, order)}:
        raise ChangeRefused([_("请在这个批次的自提点或送货范围中选一个。")])
    return choice


def _delivery_fee(run, choice, goods):
    """The zone's fee for home delivery (nothing at a pickup point); refused under the
    zone's minimum order."""
    if not choice.zone_id:
        return ZERO
    zone = run.zones.get(pk=choice.zone_id)
    if goods < zone.minimum_order:
        raise ChangeRefused(
            [
                _("送货上门需满 ¥%(min)s，修改后商品只有 ¥%(goods)s。")
                % {"min": zone.minimum_order, "goods": goods}
            ]
        )
    return zone.fee


def _short(plan):
    """Why the units the change adds are more than the stock and the households' promises
    for the run leave, in the buyer's terms (how many more she can have). Taking the room
    and the stock checks again, conditionally, when the change is written."""

    increases = plan.increases()
    remaining = supply.remaining_for_run(plan.run, [p.pk for p, _r, _n in increases])
    held = plan.new_quantities()
    problems = []
    for product, record, more in increases:
        limits = [remaining.get(product.pk)]
        if record is not None and product.get_product_class().track_stock:
            limits.append(max(0, (record.num_in_stock or 0) - (record.num_allocated or 0)))
        left = min((limit for limit in limits if limit is not None), default=None)
        if left is not None and more > left:
            problems.append(
                _("“%(title)s”这趟车最多还能加 %(left)s，这一单最多 %(most)s。")
                % {
                    "title": product.get_title(),
                    "left": units.amount(left, product),
                    "most": units.amount(held[product.pk] - more + left, product),
                }
            )
    return problems


def _amount(quantity, product):
    return units.amount(quantity, product) if product is not None else str(quantity)


def _summary(plan, link):
    """The change in words, for the order's note."""
    said = []
    for line, quantity in plan.quantities.items():
        if quantity == line.quantity:
            continue
        title = line.title
        if quantity == 0:
            said.append(_("删除“%(title)s”") % {"title": title})
        else:
            said.append(
                _("“%(title)s” %(old)s → %(new)s")
                % {
                    "title": title,
                    "old": _amount(line.quantity, line.product),
                    "new": _amount(quantity, line.product),
                }
            )
    for new in plan.additions:
        said.append(
            _("加上“%(title)s” %(amount)s")
            % {"title": new.product.get_title(), "amount": units.amount(new.quantity, new.product)}
        )
    old_choice = runs.RunChoice(link.run_id, pickup_id=link.pickup_id, zone_id=link.zone_id)
    if plan.choice != old_choice:
        said.append(_("取货方式改为：%(place)s") % {"place": place_label(plan.run, plan.choice)})
    return said


def place_label(run, choice):
    if choice.is_pickup:
        return pickup_name(run.stops.select_related("point", "run").get(pk=choice.pickup_id))
    return delivery_name(run, run.zones.get(pk=choice.zone_id))


def new_line(order, new):
    """The order line a ``NewLine`` becomes, priced as Oscar's ``OrderCreator`` prices one."""
    record = new.stockrecord
    total = new.unit_price * new.quantity
    return Line(
        order=order,
        partner=record.partner,
        partner_name=record.partner.name,
        partner_sku=record.partner_sku,
        stockrecord=record,
        product=new.product,
        title=new.product.get_title(),
        upc=new.product.upc,
        quantity=new.quantity,
        line_price_incl_tax=total,
        line_price_excl_tax=total,
        line_price_before_discounts_incl_tax=total,
        line_price_before_discounts_excl_tax=total,
        unit_price_incl_tax=new.unit_price,
        unit_price_excl_tax=new.unit_price,
        num_allocated=new.quantity,
        status=order.status,
    )
