"""Four weeks of past runs for the demo, so reports, impact figures and payouts show
something real on a newcomer's first look.

Orders are placed as a buyer's checkout places them (``shop.order.placement``: room in
the car, households' supply and stock taken, Oscar's own OrderCreator with a run's pickup
as the shipping method), while the run still takes orders; then each run lives its day through the same steps
the team takes (``fulfilment.runs.change_status`` and the order-life module): closed (sales
shared out among the households by the stated rule), collected, on its way, each order
handed over and paid in cash, done; the older runs' payouts are marked paid. The past
buyers are not e-mailed.
"""

import datetime
import random
from decimal import Decimal as D

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.test.utils import override_settings
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from fulfilment import payouts, runs, supply
from fulfilment.models import Allocation, DeliveryRun, OrderRun, RunPickup
from shop.notices.models import Notice
from shop.order import life
from shop.order.placement import Refused, place_on_run
from shop.payment.methods import PAY_ON_PICKUP
from shop.shipping.methods import PickupOnRun

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")
OrderStatusChange = get_model("order", "OrderStatusChange")
PaymentEvent = get_model("order", "PaymentEvent")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")

BUYERS = [
    ("林小满", "13812340001"),
    ("周晓芸", "13812340002"),
    ("陈建华", "13812340003"),
    ("赵雨桐", "13812340004"),
    ("孙立群", "13812340005"),
    ("郑美玲", "13812340006"),
    ("何志远", "13812340007"),
    ("高静", "13812340008"),
    ("马俊", "13812340009"),
    ("罗佳琪", "13812340010"),
    ("梁秀兰", "13812340011"),
    ("宋卫东", "13812340012"),
]
WEEKS = 4
ORDERS_PER_RUN = 7


def load_history(teams, products, customer=None):
    """Create the past runs once; running it again changes nothing."""
    if DeliveryRun.objects.filter(status=DeliveryRun.Status.DONE, notes="演示：往期车次").exists():
        return 0
    rng = random.Random(521)
    china = Country.objects.get(iso_3166_1_a2="CN")
    source_type, _ = SourceType.objects.get_or_create(
        code=PAY_ON_PICKUP, defaults={"name": "取货时付款"}
    )
    today = timezone.localdate()
    placed = 0
    for team in teams:
        team_products = [
            p
            for p in products
            if p.stockrecords.filter(partner=team).exists()
            and p.households.filter(team=team).exists()
        ]
        points = list(team.pickup_points.order_by("pk"))
        village = team.villages.order_by("pk").first()
        if not team_products or not points or village is None:
            continue
        for week in range(WEEKS, 0, -1):
            date = today - datetime.timedelta(days=7 * week)
            cutoff = timezone.make_aware(
                datetime.datetime.combine(date - datetime.timedelta(days=1), datetime.time(20))
            )
            run = DeliveryRun.objects.create(
                team=team,
                date=date,
                departure_time=datetime.time(5, 30),
                cutoff=timezone.now() + datetime.timedelta(hours=1),  # the past cut-off below
                capacity_kg=D("400"),
                capacity_crates=12,
                start_label=f"{village.name}村委会",
                start_latitude=village.latitude,
                start_longitude=village.longitude,
                status=DeliveryRun.Status.OPEN,
                notes="演示：往期车次",
            )
            stops = [
                RunPickup.objects.create(
                    run=run,
                    point=point,
                    window_start=datetime.time(8 + 2 * i, 30),
                    window_end=datetime.time(10 + 2 * i, 30),
                )
                for i, point in enumerate(points)
            ]
            for product in team_products:
                for household in product.households.filter(team=team):
                    supply.SupplyCommitment.objects.create(
                        run=run,
                        household=household,
                        product=product,
                        quantity=product.order_step * rng.randint(4, 8),
                    )
            for n in range(ORDERS_PER_RUN):
                user = customer if customer is not None and n == 0 and week <= 2 else None
                order = _place(rng, run, rng.choice(stops), team_products, china, source_type, user)
                if order is None:
                    continue
                placed_at = cutoff - datetime.timedelta(hours=rng.randint(2, 70))
                Order.objects.filter(pk=order.pk).update(date_placed=placed_at)
                placed += 1
            run.cutoff = cutoff
            run.save(update_fields=["cutoff"])
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                _live_the_day(run)
                # Past buyers are not texted either: the queued messages find no row.
                Notice.objects.filter(order__run_link__run=run).delete()
            if week >= 3:
                for statement in payouts.for_run(run):
                    payouts.mark_paid(statement, None)
        supply.sync_stock(team)
    return placed


def _live_the_day(run):
    """The run's day as the team lives it: close, collect, drive, hand over, take the cash."""
    Status = DeliveryRun.Status
    for status in (Status.CLOSED, Status.COLLECTING):
        runs.change_status(run, status, note="演示数据")
    Allocation.objects.filter(run=run).update(collected_at=run.departure)
    runs.change_status(run, Status.DELIVERING, note="演示数据")  # every household collected
    links = OrderRun.objects.filter(run=run).select_related("order", "pickup__point", "pickup__run")
    life.ready_at_pickup(list(links))
    for link in links:
        life.handed_over(link)
        life.paid_in_cash(link.order, None, reference="演示数据")
    handed = run.departure + datetime.timedelta(hours=3)
    OrderRun.objects.filter(run=run).update(handed_over_at=handed, ready_notified_at=run.departure)
    runs.change_status(run, Status.DONE, note="演示数据")
    # The day happened then, not when the demo was loaded.
    orders = Order.objects.filter(run_link__run=run)
    OrderStatusChange.objects.filter(order__in=orders).update(date_created=handed)
    OrderNote.objects.filter(order__in=orders).update(date_created=handed)
    PaymentEvent.objects.filter(order__in=orders).update(date_created=handed)
    run.events.update(at=handed)


def _place(rng, run, stop, products, china, source_type, user):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
        basket.add_product(product, quantity=product.order_step * rng.randint(1, 2))
    name, phone = rng.choice(BUYERS)
    method = PickupOnRun(stop)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)

    def create_order():
        address = ShippingAddress(first_name=name, phone_number=f"+86{phone}", country=china)
        address.save()
        return OrderCreator().place_order(
            basket=basket,
            total=total,
            shipping_method=method,
            shipping_charge=charge,
            user=user,
            shipping_address=address,
            **({} if user else {"guest_email": f"{phone}@buyer.example.cn"}),
        )

    try:
        order = place_on_run(method.choice, basket, create_order)
    except Refused:
        basket.delete()  # the car or the households' supply was full: nobody ordered
        return None
    for line in order.lines.all():
        # Handed over: the units leave stock and the allocation (if any was taken) ends.
        StockRecord.objects.filter(pk=line.stockrecord_id).update(
            num_in_stock=Greatest(F("num_in_stock") - line.quantity, 0),
            num_allocated=Greatest(Coalesce(F("num_allocated"), 0) - line.quantity, 0),
        )
    Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=order.total_incl_tax,
    )
    basket.submit()
    return order
