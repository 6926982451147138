"""A household brought less than it was credited for: cut order lines, owe refunds, tell buyers.

Lines are chosen by ``allocation.cut_for_shortfall`` (last ordered, first cut) among the
run's lines of that product; what a cut does to the order (its money, its status, the
buyer's message) is the order-life module's ``cut_lines``. The household's ``Allocation``
shrinks by the same amount, so its payout only counts what it really supplied.
"""

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


def record_shortfall(run, household, product, quantity, actor=None, note=""):
    if run.status not in OPEN_TO_SHORTFALLS:
        raise ShortfallError(_("只有已截单、收货中或配送中的批次可以登记缺货。"))
    if quantity <= 0:
        raise ShortfallError(_("少交数量要大于 0。"))
    with transaction.atomic():
        credited = (
            Allocation.objects.select_for_update()
            .filter(run=run, household=household, product=product)
            .first()
        )
        if credited is None or credited.quantity < quantity:
            raise ShortfallError(
                _("%(household)s 这一批只记了 %(n)s 件“%(product)s”，少交数量不能超过它。")
                % {
                    "household": household.public_name,
                    "n": credited.quantity if credited else 0,
                    "product": product.get_title(),
                }
            )
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

        lines = list(run_lines(run).filter(product=product).select_related("order"))
        done = cut_quantities(lines)
        candidates = [
            (line.pk, Decimal(line.quantity - done.get(line.pk, 0)), line.order.date_placed)
            for line in lines
        ]
        chosen = allocation.cut_for_shortfall(candidates, Decimal(quantity))
        life.cut_lines(
            shortfall,
            {line: int(chosen.get(line.pk, 0)) for line in lines if chosen.get(line.pk)},
            user=actor,
        )
    return shortfall
