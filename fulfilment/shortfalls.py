"""A household brought less than it was credited for: cut order lines, owe refunds, tell buyers.

Lines are chosen by ``allocation.cut_for_shortfall`` (last ordered, first cut) among the
run's lines of that product. Oscar's order lines are left as placed; each cut is a
``LineCut`` (the lists subtract it) plus a ``RefundOwed`` for the payments side and an
order note the buyer sees. The household's ``Allocation`` shrinks by the same amount, so
its payout only counts what it really supplied. A pay-on-pickup order has paid nothing
yet, so it gets no ``RefundOwed``: the run sheet simply asks for less cash.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from fulfilment import allocation, notifications
from fulfilment.models import Allocation, DeliveryRun, LineCut, RefundOwed, Shortfall
from fulfilment.supply import run_lines
from shop.payment.methods import PAY_ON_PICKUP

OrderNote = get_model("order", "OrderNote")

OPEN_TO_SHORTFALLS = (
    DeliveryRun.Status.CLOSED,
    DeliveryRun.Status.COLLECTING,
    DeliveryRun.Status.DELIVERING,
)


class ShortfallError(ValueError):
    pass


def is_pay_on_pickup(order):
    return any(source.source_type.code == PAY_ON_PICKUP for source in order.sources.all())


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
        cuts = allocation.cut_for_shortfall(candidates, Decimal(quantity))
        by_order = {}
        for line in lines:
            units = int(cuts.get(line.pk, 0))
            if not units:
                continue
            amount = (line.unit_price_incl_tax or Decimal("0")) * units
            LineCut.objects.create(shortfall=shortfall, line=line, quantity=units, amount=amount)
            reason = _("缺货：%(title)s 减少 %(n)s") % {"title": line.title, "n": units}
            if not is_pay_on_pickup(line.order):
                RefundOwed.objects.create(
                    order=line.order,
                    line=line,
                    amount=amount,
                    reason=reason,
                    shortfall=shortfall,
                )
            OrderNote.objects.create(
                order=line.order,
                note_type="System",
                message=_("%(reason)s，退款 ¥%(amount)s") % {"reason": reason, "amount": amount},
            )
            by_order.setdefault(line.order, []).append((line.title, units, amount))
        for order, order_cuts in by_order.items():
            transaction.on_commit(
                lambda order=order, order_cuts=order_cuts: notifications.shortfall(
                    order, order_cuts
                )
            )
    return shortfall
