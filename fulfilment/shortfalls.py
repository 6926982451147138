"""A household brought less than it was credited for: cut order lines, owe refunds, tell buyers.

Lines are chosen by ``allocation.cut_for_shortfall`` (last ordered, first cut) among the
run's lines of that product; what a cut does to the order (its money, its status, the
buyer's message) is the order-life module's ``cut_lines``. The household's ``Allocation``
shrinks by the same amount, so its payout only counts what it really supplied.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fulfilment import allocation
from fulfilment.models import Allocation, DeliveryRun, LineCut, Shortfall
from fulfilment.supply import run_lines
from shop.order import life

OPEN_TO_SHORTFALLS = (
    DeliveryRun.Status.CLOSED,
    DeliveryRun.Status.COLLECTING,
    DeliveryRun.Status.DELIVERING,
)


class ShortfallError(ValueError):
    pass


def cut_quantities(lines):
    """{line id: units already cut}."""
    rows = LineCut.objects.filter(line__in=lines).values("line_id").annotate(total=Sum("quantity"))
    return {row["line_id"]: row["total"] for row in rows}


def check(run, household, product, quantity, lock=False):
    """The household's ``Allocation`` a shortfall of ``quantity`` would reduce; raises
    ``ShortfallError`` with the reason when it cannot be recorded."""
    if run.status not in OPEN_TO_SHORTFALLS:
        raise ShortfallError(_("只有已截单、收货中或配送中的批次可以登记缺货。"))
    if quantity <= 0:
        raise ShortfallError(_("少交数量要大于 0。"))
    allocations = Allocation.objects.filter(run=run, household=household, product=product)
    credited = (allocations.select_for_update() if lock else allocations).first()
    if credited is None or credited.quantity < quantity:
        raise ShortfallError(
            _("%(household)s 这一批只记了 %(n)s 件“%(product)s”，少交数量不能超过它。")
            % {
                "household": household.public_name,
                "n": credited.quantity if credited else 0,
                "product": product.get_title(),
            }
        )
    return credited


def record_shortfall(run, household, product, quantity, actor=None, note=""):
    check(run, household, product, quantity)
    with transaction.atomic():
        credited = check(run, household, product, quantity, lock=True)
        shortfall = Shortfall.objects.create(
            run=run,
            household=household,
            product=product,
            quantity=quantity,
            recorded_by=actor if actor and actor.is_authenticated else None,
            note=note,
        )
        credited.quantity -= quantity
        credited.save(update_fields=["quantity"])

        life.cut_lines(shortfall, lines_to_cut(run, product, quantity), user=actor)
    return shortfall


def lines_to_cut(run, product, quantity):
    """{line: units} a shortfall of ``quantity`` units of ``product`` takes from the run's
    orders (last ordered, first cut)."""
    lines = list(run_lines(run).filter(product=product).select_related("order"))
    done = cut_quantities(lines)
    candidates = [
        (line.pk, Decimal(line.quantity - done.get(line.pk, 0)), line.order.date_placed)
        for line in lines
    ]
    chosen = allocation.cut_for_shortfall(candidates, Decimal(quantity))
    return {line: int(chosen[line.pk]) for line in lines if chosen.get(line.pk)}


@dataclass
class ShortfallPreview:
    """What recording shortfalls would do, for the confirmation page: nothing is written."""

    units: int = 0
    orders: set = field(default_factory=set)  # order numbers
    amount: Decimal = Decimal("0.00")

    @property
    def order_count(self):
        return len(self.orders)

    @property
    def fingerprint(self):
        """Changes when the figures do: a confirmation posted after they changed is shown
        again instead of being carried out."""
        return f"{self.units}-{self.order_count}-{self.amount}"


def preview(run, missing):
    """``ShortfallPreview`` for ``missing`` [(product, units)] (a product may repeat)."""
    totals = {}
    products = {}
    for product, units in missing:
        totals[product.pk] = totals.get(product.pk, 0) + units
        products[product.pk] = product
    result = ShortfallPreview()
    for product_id, units in totals.items():
        result.units += units
        for line, cut in lines_to_cut(run, products[product_id], units).items():
            result.orders.add(line.order.number)
            result.amount += life.cut_amount(line, cut)
    return result
