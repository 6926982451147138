"""钱去了哪里: an order's receipt, naming the households its money was credited to.

One module for every place that shows it: the buyer's account order page, the guest order
page, the public receipt page a packing label's QR code opens, and the tests. The figures
are the order-life money records, never computed again here:

* which household supplied which units of a line, and the money credited for them, come
  from ``shop.order.money.credits_for_run`` (the run's allocations laid over its lines,
  priority households first, reduced by shortfalls);
* whether a household's credit has been paid out comes from the ``Payout`` that covered
  the run (``fulfilment.payouts``' rule: a run payout or the month's);
* units left on a line after cuts come from ``money.of(order).cut_units``.

Households are named as public pages name them (``Household.shown_name``: the agreed name,
or "a household in <village>"); the share-out tier is shown only as "priority" or not,
never the household's category, phone, real name or address.

The public receipt is opened by a signed token (``token_for``), salted apart from the
buyer's own order link, so it opens the receipt and nothing else: no buyer name, phone or
address. Query count is fixed per order, whatever the number of its lines.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment.allocation import PRIORITY_TIERS
from fulfilment.models import DeliveryRun, Payout
from fulfilment.payouts import fee_percent
from shop.core.links import absolute
from shop.order import money
from shop.order import status as statuses

Line = get_model("order", "Line")

RECEIPT_SALT = "fulfilment.receipt"
ZERO = Decimal("0.00")
# Tiers served before the others (monitored, formerly poor): shown as "priority" only.
PRIORITY = frozenset(PRIORITY_TIERS[:-1])

# Where the order's money stands with the households, one word each; labels below.
PENDING = "pending"  # before the run's cut-off: nothing shared out yet
CANCELLED = "cancelled"  # the order or its run was cancelled: nothing credited
ALLOCATED = "allocated"  # shared out: credits shown
NOT_ON_RUN = "not_on_run"

MESSAGES = {
    PENDING: _(
        "截单后分配到户：截单时按分配规则把这一单的货记到供货农户名下，到时这里会列出每一户。"
    ),
    CANCELLED: _("这一单已取消，没有记到农户名下的钱。"),
    NOT_ON_RUN: _("这一单不在配送批次上，没有记到农户名下的钱。"),
}

# A household's credit: paid out, waiting for its payout, or settled after delivery.
PAID = "paid"
TO_PAY = "to_pay"
AFTER_DELIVERY = "after_delivery"

PAY_LABELS = {
    PAID: _("已付给农户"),
    TO_PAY: _("送达了，待付给农户"),
    AFTER_DELIVERY: _("送达后付给农户"),
}


@dataclass(frozen=True)
class Share:
    """Units of one line credited to one household, and the money for them."""

    household_id: int
    name: str
    priority: bool
    quantity: int
    amount: Decimal


@dataclass
class ReceiptLine:
    line: object
    quantity: int  # units the buyer gets, after cuts
    shares: list = field(default_factory=list)

    @property
    def credited_units(self):
        return sum(share.quantity for share in self.shares)

    @property
    def uncredited_units(self):
        """Units sold beyond what households promised (the team's own supply)."""
        return max(0, self.quantity - self.credited_units)

    @property
    def credited(self):
        return sum((share.amount for share in self.shares), ZERO)


@dataclass
class HouseholdTotal:
    """What one household is credited for the whole order, and where that money is."""

    household_id: int
    name: str
    priority: bool
    amount: Decimal
    pay_state: str
    paid_at: object = None

    @property
    def pay_label(self):
        return PAY_LABELS[self.pay_state]


@dataclass
class Receipt:
    order: object
    state: str
    run: object = None
    lines: list = field(default_factory=list)
    households: list = field(default_factory=list)
    fee_percent: Decimal = ZERO

    @property
    def allocated(self):
        return self.state == ALLOCATED

    @property
    def message(self):
        return MESSAGES.get(self.state, "")

    @property
    def credited(self):
        """Money credited to households for this order: the sum of its credits."""
        return sum((line.credited for line in self.lines), ZERO)

    @property
    def has_credits(self):
        return any(line.shares for line in self.lines)


def _run_of(order):
    try:
        return order.run_link.run
    except ObjectDoesNotExist:
        return None


def _pay_states(run, household_ids):
    """{household id: (state, paid_at)} for the households credited on ``run``."""
    if run.status != DeliveryRun.Status.DONE:
        return {pk: (AFTER_DELIVERY, None) for pk in household_ids}
    covered = {
        row.payout.household_id: row.payout
        for row in Payout.covered_runs.through.objects.filter(
            deliveryrun=run, payout__household_id__in=household_ids
        ).select_related("payout")
    }
    return {
        pk: (PAID, covered[pk].paid_at) if pk in covered else (TO_PAY, None) for pk in household_ids
    }


def for_order(order):
    """The ``Receipt`` of ``order``: its lines with the households credited for each."""
    run = _run_of(order)
    if run is None:
        return Receipt(order=order, state=NOT_ON_RUN)
    if order.status == statuses.CANCELLED or run.status == DeliveryRun.Status.CANCELLED:
        return Receipt(order=order, state=CANCELLED, run=run)
    if run.status == DeliveryRun.Status.OPEN:
        return Receipt(order=order, state=PENDING, run=run)
    cut_units = money.of(order).cut_units
    lines = {
        line.pk: ReceiptLine(line=line, quantity=line.quantity - cut_units.get(line.pk, 0))
        for line in Line.objects.filter(order=order).select_related("product").order_by("pk")
        if line.status not in (statuses.CANCELLED, statuses.CUT)
    }
    credits = [credit for credit in money.credits_for_run(run) if credit.order_id == order.pk]
    households = Household.objects.select_related("village").in_bulk(
        {credit.household_id for credit in credits}
    )
    totals = defaultdict(lambda: ZERO)
    for credit in credits:
        household = households[credit.household_id]
        line = lines.get(credit.line_id)
        if line is None:
            continue
        line.shares.append(
            Share(
                household_id=household.pk,
                name=household.shown_name,
                priority=household.status in PRIORITY,
                quantity=credit.quantity,
                amount=credit.amount,
            )
        )
        totals[household.pk] += credit.amount
    states = _pay_states(run, list(totals))
    rank = {name: index for index, name in enumerate(PRIORITY_TIERS)}
    return Receipt(
        order=order,
        state=ALLOCATED,
        run=run,
        lines=[line for line in lines.values() if line.quantity > 0],
        households=[
            HouseholdTotal(
                household_id=pk,
                name=households[pk].shown_name,
                priority=households[pk].status in PRIORITY,
                amount=amount,
                pay_state=states[pk][0],
                paid_at=states[pk][1],
            )
            for pk, amount in sorted(
                totals.items(),
                key=lambda item: (rank.get(households[item[0]].status, len(rank)), item[0]),
            )
        ],
        fee_percent=fee_percent(),
    )


# --- the public receipt, opened by the packing label's QR code -------------------------


def token_for(order):
    """A signed token carrying the order number: opens this order's receipt and nothing
    else (the buyer's order link uses another salt)."""
    return signing.Signer(salt=RECEIPT_SALT).sign(order.number)


def order_number_from(token):
    try:
        return signing.Signer(salt=RECEIPT_SALT).unsign(token)
    except signing.BadSignature:
        return None


def path_for(order, language=None):
    with translation.override(language or translation.get_language()):
        return reverse("order-receipt", kwargs={"token": token_for(order)})


def url_for(order, language=None):
    """The receipt's public address, absolute (the QR code on the packing label)."""
    return absolute(path_for(order, language))
