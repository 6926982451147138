"""The one way tests make an order: placed as checkout places it, then moved on by the
order's life (``shop.order.life``) as the run's events, the driver's taps and the team's
cash would move it. No test writes order rows by hand; a state the life cannot reach (one
order across teams, a status skipped) is not made here."""

from decimal import Decimal as D

from shop.order import status as S

# The life events that carry an order from one status to the next, in order.
_STEPS = (
    S.CONFIRMED,
    S.COLLECTING,
    S.ON_ITS_WAY,
    S.READY,
    S.HANDED_OVER,
    S.COMPLETED,
)


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
    user=None,
    status=None,
):
    """Place an order on ``run`` as checkout does (``shop.order.placement``: room and stock
    taken, Oscar's OrderCreator, the run link), paid on pickup unless ``paid_online``.
    ``items`` is [(product, quantity)]; ``run=None`` gives the first product's team an open
    run of its own (so the order's moves touch no other order).

    ``user`` places it signed in (else a guest with ``email``); ``placed`` back-dates it (a
    month gone by, last year). ``status`` moves it on through the life functions up to that
    status: confirmed, being collected, on its way (the run's events, so every order on
    ``run`` moves with it), ready at the pickup or out for delivery, handed over, completed
    (the cash taken at hand-over) or cancelled."""
    from shop.order.placement import place_on_run

    if run is None:
        run = own_run(items[0][0])
    basket = _basket(items, user)
    buyer = {"email": email, "name": name, "line1": line1, "user": user}
    order = place_on_run(*_part(run, basket, stop=stop, zone=zone, **buyer))
    return _settle(order, placed=placed, paid_online=paid_online, status=status)


def make_split_order(
    items,
    *,
    runs=None,
    email="buyer@example.cn",
    name="林小满",
    paid_online=False,
    placed=None,
    user=None,
    status=None,
):
    """One basket holding several teams' produce, placed as checkout places it: split per
    team (``shop.checkout.split.parts_of``), every part placed on its team's run through
    ``shop.order.placement.place_parts_on_runs`` (all or none) and the orders grouped as
    one checkout (``shop.order.groups``), numbered ``N-1``, ``N-2``... (teams by name).

    ``runs`` maps a team to its run (each team not named gets an open run of its own, with
    its own pickup stop); the other options are ``make_order``'s, for every part. Returns
    the parts' orders in the order of their numbers."""
    from oscar.core.loading import get_class

    from shop.checkout.split import parts_of
    from shop.order import groups
    from shop.order.placement import place_parts_on_runs

    OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

    basket = _basket(items, user)
    parts = parts_of(basket)
    if not parts:
        raise ValueError("a split order needs the produce of at least two teams")
    base = OrderNumberGenerator().order_number(basket)
    runs = runs or {}
    buyer = {"email": email, "name": name, "line1": "", "user": user}
    specs = []
    for part in parts:
        run = runs.get(part.team) or own_run(part.basket.all_lines()[0].product)
        specs.append(
            _part(run, part.basket, number=part.order_number(base), stop=None, zone=None, **buyer)
        )
    orders = place_parts_on_runs(
        specs, after_writing=lambda placed_orders: groups.group(placed_orders)
    )
    return [
        _settle(order, placed=placed, paid_online=paid_online, status=status) for order in orders
    ]


def _basket(items, user):
    from oscar.apps.partner.strategy import Default
    from oscar.core.loading import get_model

    basket = get_model("basket", "Basket").objects.create(owner=user)
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


def _part(run, basket, *, stop, zone, email, name, line1, user, number=None):
    """(choice, basket, create_order) for the placement module: ``basket`` on ``run``,
    picked up at ``stop`` (the run's first) or delivered in ``zone``."""
    from oscar.core.loading import get_model
    from oscar.test.factories import create_order

    from shop.shipping.methods import HomeDeliveryOnRun, PickupOnRun

    if zone is not None:
        method = HomeDeliveryOnRun(run, zone)
    else:
        method = PickupOnRun(stop or run.stops.first())

    def write():
        address = get_model("order", "ShippingAddress")(
            first_name=name,
            phone_number="+8613812345678",
            line1=line1,
            country=get_model("address", "Country").objects.get(iso_3166_1_a2="CN"),
        )
        address.save()
        return create_order(
            number=number,
            basket=basket,
            user=user,
            shipping_method=method,
            shipping_address=address,
            **({} if user else {"guest_email": email}),
        )

    return method.choice, basket, write


def _settle(order, *, placed, paid_online, status):
    """Back-date ``order``, give it its payment source, and move it on to ``status``."""
    from oscar.core.loading import get_model

    Source = get_model("payment", "Source")
    SourceType = get_model("payment", "SourceType")

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
    if status is not None and status != order.status:
        move_on(order, status)
        order.refresh_from_db()
    return order


def own_run(product):
    """An open run, with a pickup stop of its own, for the team selling ``product``."""
    from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory

    team = product.stockrecords.select_related("partner").first().partner
    return DeliveryRunFactory(team=team, stops=[PickupPointFactory(team=team)])


def move_on(order, status):
    """Move ``order`` on through ``shop.order.life`` until it reaches ``status``."""
    from shop.order import life

    if status == S.CANCELLED:
        life.cancel(order)
        return
    if status == S.OUT_FOR_DELIVERY:  # a home delivery's "ready"
        status = S.READY
    if status not in _STEPS:
        raise ValueError(f"the order's life does not lead to {status!r}")
    link = order.run_link
    run = link.run
    events = {
        S.CONFIRMED: lambda: life.run_closed(run),
        S.COLLECTING: lambda: life.run_collecting(run),
        S.ON_ITS_WAY: lambda: life.run_on_its_way(run),
        S.READY: lambda: (
            life.out_for_delivery(run) if link.zone_id else life.ready_at_pickup([link])
        ),
        S.HANDED_OVER: lambda: life.handed_over(link),
        S.COMPLETED: lambda: life.paid_in_cash(order, None),
    }
    for step in _STEPS[: _STEPS.index(status) + 1]:
        if order.status == S.COMPLETED:  # paid online: complete once handed over
            break
        events[step]()
        order.refresh_from_db()
        link.refresh_from_db()
