"""Tie each placed order to the run its shipping method names (see ``shop.shipping``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

from fulfilment import runs
from fulfilment.models import DeliveryRun, DeliveryZone, OrderRun, PickupPoint, RunPickup

# What checkout's cached open runs (``runs.open_runs_for_checkout``) are made of.
for _model in (DeliveryRun, RunPickup, PickupPoint, DeliveryZone, get_model("partner", "Partner")):
    _uid = f"runs-cache-{_model._meta.label_lower}"
    post_save.connect(runs.bump_runs_generation, sender=_model, dispatch_uid=_uid + "-save")
    post_delete.connect(runs.bump_runs_generation, sender=_model, dispatch_uid=_uid + "-delete")
for _field in ("zones", "pickup_points"):
    m2m_changed.connect(
        runs.bump_runs_generation,
        sender=getattr(DeliveryRun, _field).through,
        dispatch_uid=f"runs-cache-{_field}",
    )


@receiver(order_placed, dispatch_uid="fulfilment.order_placed")
def link_order_to_run(sender, order, **kwargs):
    """The code was one of the run's own choices when the order was placed (checkout
    checks it with the run's row locked), so it names the run and the stop or zone."""
    parsed = runs.parse_shipping_code(order.shipping_code)
    if parsed is None:
        return
    run_id, kind, target = parsed
    quantities, products = {}, {}
    for line in order.lines.all():  # kept from placing the order: no query
        if line.product_id:
            quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
            products[line.product_id] = line.product
    kg, crates = runs.load_of(quantities, products)
    OrderRun.objects.create(
        order=order,
        run_id=run_id,
        pickup_id=target if kind == "pickup" else None,
        zone_id=target if kind == "zone" else None,
        weight_kg=kg,
        crates=crates,
    )
