"""Four weeks of past runs for the demo, so reports, impact figures and payouts show
something real on a newcomer's first look.

Orders are placed as a buyer's checkout places them (``shop.order.placement``: room in
the car, households' supply and stock taken, Oscar's own OrderCreator with a run's pickup
as the shipping method), while the run still takes orders; then the runs are marked done, sales are shared out
among the households by the stated rule, and the older runs' payouts are marked paid.
"""

import datetime
import random
from decimal import Decimal as D

from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from fulfilment import payouts, supply
from fulfilment.models import DeliveryRun, OrderRun, RunEvent, RunPickup
from shop.order.placement import Refused, place_on_run
from shop.payment.methods import PAY_ON_PICKUP
from shop.shipping.methods import PickupOnRun

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
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
DONE = "已完成"
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
                OrderRun.objects.filter(order=order).update(
                    handed_over_at=run.departure + datetime.timedelta(hours=3),
                    ready_notified_at=run.departure,
                )
                placed += 1
            run.status = DeliveryRun.Status.DONE
            run.cutoff = cutoff
            run.save(update_fields=["status", "cutoff"])
            supply.share_out_run(run)
            previous = DeliveryRun.Status.OPEN
            for status in ("closed", "collecting", "delivering", "done"):
                RunEvent.objects.create(
                    run=run, from_status=previous, to_status=status, note="演示数据"
                )
                previous = status
            if week >= 3:
                for statement in payouts.for_run(run):
                    payouts.mark_paid(statement, None)
        supply.sync_stock(team)
    return placed


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
            status=DONE,
            **({} if user else {"guest_email": f"{phone}@buyer.example.cn"}),
        )

    try:
        order = place_on_run(method.choice, basket, create_order)
    except Refused:
        basket.delete()  # the car or the households' supply was full: nobody ordered
        return None
    order.lines.update(status=DONE)
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
        amount_debited=order.total_incl_tax,
    )
    basket.submit()
    return order
