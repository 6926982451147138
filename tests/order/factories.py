"""The one way tests make an order."""

from decimal import Decimal as D


def make_order(
    run,
    items,
    *,
    email="buyer@example.cn",
    name="林小满",
    stop=None,
    zone=None,
    paid_online=False,
    line1="",
    placed=None,
):
    """Place an order on ``run`` as checkout does (``shop.order.placement``: room and stock
    taken, Oscar's OrderCreator, the run link), paid on pickup unless ``paid_online``.
    ``items`` is [(product, quantity)]."""
    from oscar.apps.partner.strategy import Default
    from oscar.core.loading import get_model
    from oscar.test.factories import create_order

    from shop.order.placement import place_on_run
    from shop.shipping.methods import HomeDeliveryOnRun, PickupOnRun

    Basket = get_model("basket", "Basket")
    ShippingAddress = get_model("order", "ShippingAddress")
    Country = get_model("address", "Country")
    Source = get_model("payment", "Source")
    SourceType = get_model("payment", "SourceType")

    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    if zone is not None:
        method = HomeDeliveryOnRun(run, zone)
    else:
        method = PickupOnRun(stop or run.stops.first())
    address = ShippingAddress(
        first_name=name,
        phone_number="+8613812345678",
        line1=line1,
        country=Country.objects.get(iso_3166_1_a2="CN"),
    )
    address.save()
    order = place_on_run(
        method.choice,
        basket,
        lambda: create_order(
            basket=basket, shipping_method=method, shipping_address=address, guest_email=email
        ),
    )
    if placed is not None:
        order.date_placed = placed
        order.save(update_fields=["date_placed"])
    order.refresh_from_db()  # the number generator leaves an int on the instance
    code = "card" if paid_online else "pay-on-pickup"
    source_type, _ = SourceType.objects.get_or_create(code=code, defaults={"name": code})
    Source.objects.create(
        order=order,
        source_type=source_type,
        amount_allocated=order.total_incl_tax,
        amount_debited=order.total_incl_tax if paid_online else D("0"),
    )
    return order
