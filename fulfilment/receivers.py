"""Tie each placed order to the run its shipping method names (see ``shop.shipping``)."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_placed

from fulfilment import runs
from fulfilment.models import DeliveryRun, DeliveryZone, OrderRun, RunPickup


@receiver(order_placed, dispatch_uid="fulfilment.order_placed")
def link_order_to_run(sender, order, **kwargs):
    parsed = runs.parse_shipping_code(order.shipping_code)
    if parsed is None:
        return
    run_id, kind, target = parsed
    run = DeliveryRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    quantities, products = {}, {}
    for line in order.lines.select_related("product"):
        if line.product_id:
            quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
            products[line.product_id] = line.product
    kg, crates = runs.load_of(quantities, products)
    OrderRun.objects.update_or_create(
        order=order,
        defaults={
            "run": run,
            "pickup": RunPickup.objects.filter(pk=target, run=run).first()
            if kind == "pickup"
            else None,
            "zone": DeliveryZone.objects.filter(pk=target).first() if kind == "zone" else None,
            "weight_kg": kg,
            "crates": crates,
        },
    )
