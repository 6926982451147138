"""A buyer changes an order until the run's cut-off (issue 21): through the pages a buyer
uses (signed in, or the guest's signed link), with stock, room in the car and money
re-checked, the team's lists following, and nothing changed when it is refused."""

import datetime
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from fulfilment import supply
from fulfilment.models import DeliveryRun, OrderRun, RefundOwed, RunLoad
from shop.buyer import links
from shop.order import changes, money
from shop.order import status as S
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.fulfilment.factories import CommitmentFactory, DeliveryZoneFactory, PickupPointFactory
from tests.order.factories import make_order
from tests.partner.factories import UserFactory, team_member
from tests.payment.conftest import stripe_fake  # noqa: F401  Stripe switched on against the fake

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
OrderNote = get_model("order", "OrderNote")

pytestmark = pytest.mark.django_db


@pytest.fixture
def greens(team, pickup_point):
    return product_in_stock(team=team, title="小青菜", price=D("4.00"), stock=30)


@pytest.fixture
def order(run, eggs, customer):
    """The signed-in buyer's 10 eggs (¥1.50 each) for pickup, paid on pickup."""
    placed = make_order(run, [(eggs, 10)], email=customer.email)
    Order.objects.filter(pk=placed.pk).update(user=customer)
    placed.refresh_from_db()
    return placed


@pytest.fixture
def buyer_client(client, customer):
    client.force_login(customer)
    return client


def change_url(order):
    return reverse("account-order-change", kwargs={"order_number": order.number})


def post_change(client, order, quantities=None, add=("", ""), place=None):
    data = {f"qty-{line.pk}": str(q) for line, q in (quantities or {}).items()}
    data["add-product"], data["add-qty"] = add
    if place is not None:
        data["place"] = place
    return client.post(change_url(order), data)


def allocated(product):
    return StockRecord.objects.get(product=product).num_allocated or 0


def load(run, product):
    row = RunLoad.objects.filter(run=run, product=product).first()
    return row.quantity if row else 0


def state(order):
    """Everything a refused change must leave as it was."""
    order.refresh_from_db()
    link = OrderRun.objects.get(order=order)
    lines = sorted(order.lines.values_list("product_id", "quantity", "line_price_incl_tax"))
    stock = sorted(StockRecord.objects.values_list("pk", "num_in_stock", "num_allocated"))
    loads = sorted(
        RunLoad.objects.filter(quantity__gt=0).values_list("run_id", "product_id", "quantity")
    )
    run = DeliveryRun.objects.get(pk=link.run_id)
    return (
        lines,
        order.total_incl_tax,
        link.pickup_id,
        link.zone_id,
        stock,
        loads,
        run.booked_kg,
        OrderNote.objects.filter(order=order).count(),
    )


def test_before_the_cutoff_the_buyer_changes_quantities_adds_and_removes(
    buyer_client, order, run, eggs, greens
):
    page = buyer_client.get(reverse("customer:order", args=[order.number]))
    assert change_url(order) in page.content.decode()
    form = buyer_client.get(change_url(order))
    assert form.status_code == 200
    assert "小青菜" in form.content.decode()

    line = order.lines.get()
    response = post_change(buyer_client, order, {line: 6}, add=(str(greens.pk), "2"))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer:order", args=[order.number])

    order.refresh_from_db()
    quantities = dict(order.lines.values_list("product_id", "quantity"))
    assert quantities == {eggs.pk: 6, greens.pk: 2}
    assert money.of(order).due == D("6") * D("1.50") + D("2") * D("4.00")
    assert money.of(order).cash_to_collect == D("17.00")  # pay on pickup: owes the new amount
    assert allocated(eggs) == 6 and allocated(greens) == 2
    assert load(run, eggs) == 6 and load(run, greens) == 2
    assert OrderNote.objects.filter(order=order, message__contains="买家修改了订单").exists()
    page = buyer_client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert "订单已修改" in page and "17.00" in page

    # Removing the eggs altogether: their stock goes back and the car carries none.
    line = order.lines.get(product=eggs)
    assert post_change(buyer_client, order, {line: 0}).status_code == 302
    assert list(order.lines.values_list("product_id", flat=True)) == [greens.pk]
    assert allocated(eggs) == 0 and load(run, eggs) == 0
    order.refresh_from_db()
    assert money.of(order).due == D("8.00")


def test_after_the_cutoff_the_change_is_refused_and_nothing_changes(buyer_client, order, run):
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(minutes=1)
    )
    before = state(order)
    page = buyer_client.get(change_url(order))
    assert "已截单" in page.content.decode()
    assert 'data-testid="order-change-form"' not in page.content.decode()
    response = post_change(buyer_client, order, {order.lines.get(): 3})
    assert response.status_code == 400
    assert "配送批次已截单，订单不能再修改" in response.content.decode()
    assert state(order) == before
    detail = buyer_client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert change_url(order) not in detail


def test_a_closed_run_refuses_too(buyer_client, order, run):
    from fulfilment import runs

    runs.change_status(run, DeliveryRun.Status.CLOSED)
    before = state(order)
    response = post_change(buyer_client, order, {order.lines.get(): 3})
    assert response.status_code == 400
    assert state(order) == before


@pytest.mark.parametrize(
    "raw, message",
    [
        ("-1", "不能小于 0"),
        ("abc", "请填整数"),
        ("2.5", "请填整数"),
        ("²", "请填整数"),
        ("--3", "请填整数"),
        ("100000000000000000000", "一单最多"),
        (str(changes.MAX_UNITS + 1), "一单最多"),
    ],
)
def test_bad_quantities_get_a_clear_message_and_change_nothing(buyer_client, order, raw, message):
    before = state(order)
    response = buyer_client.post(change_url(order), {f"qty-{order.lines.get().pk}": raw})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(order) == before


def test_every_line_at_zero_is_refused_with_the_way_to_cancel(buyer_client, order):
    before = state(order)
    response = post_change(buyer_client, order, {order.lines.get(): 0})
    assert response.status_code == 400
    assert "不要了请取消订单" in response.content.decode()
    assert state(order) == before


def test_a_product_not_on_the_run_cannot_be_added(buyer_client, order, other_team):
    elsewhere = product_in_stock(team=other_team, title="柳河村香菇", stock=50)
    before = state(order)
    response = post_change(buyer_client, order, add=(str(elsewhere.pk), "1"))
    assert response.status_code == 400
    assert "这个商品不在这个配送批次上" in response.content.decode()
    response = post_change(buyer_client, order, add=("999999", "1"))
    assert response.status_code == 400
    response = post_change(buyer_client, order, add=("x", "1"))
    assert response.status_code == 400
    assert state(order) == before


def test_more_than_the_stock_is_refused_and_nothing_changes(buyer_client, order, greens):
    before = state(order)
    response = post_change(buyer_client, order, add=(str(greens.pk), "31"))
    assert response.status_code == 400
    assert "“小青菜”这趟车最多还能加 30" in response.content.decode()
    assert state(order) == before


def test_more_than_the_households_promised_for_the_run_is_refused(buyer_client, order, run, eggs):
    household = HouseholdFactory(team=run.team)
    CommitmentFactory(run=run, household=household, product=eggs, quantity=12)
    supply.sync_stock(run.team)
    before = state(order)
    response = post_change(buyer_client, order, {order.lines.get(): 13})
    assert response.status_code == 400
    assert "最多还能加 2" in response.content.decode()
    assert "这一单最多 12" in response.content.decode()
    assert state(order) == before
    assert post_change(buyer_client, order, {order.lines.get(): 12}).status_code == 302


def test_no_room_in_the_car_is_refused(buyer_client, order, run, eggs):
    eggs.weight_per_unit_g = 1000
    eggs.save()
    supply.count_run_loads([run.pk])
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("12"))
    before = state(order)
    response = post_change(buyer_client, order, {order.lines.get(): 13})
    assert response.status_code == 400
    assert "车只能再装" in response.content.decode()
    assert state(order) == before


def test_pickup_point_and_delivery_zone_change_with_the_fee(buyer_client, order, run, team, eggs):
    other_point = PickupPointFactory(team=team, name="城关镇社区大门")
    stop = run.stops.create(
        point=other_point, window_start=datetime.time(14, 0), window_end=datetime.time(15, 0)
    )
    zone = DeliveryZoneFactory(team=team, fee=D("5.00"), minimum_order=D("10.00"))
    run.zones.add(zone)
    address = order.shipping_address
    address.line1 = "城关镇建设路 12 号"
    address.save()
    form = buyer_client.get(change_url(order)).content.decode()
    assert "城关镇社区大门" in form and "送货上门" in form

    assert (
        post_change(buyer_client, order, place=f"run-{run.pk}-pickup-{stop.pk}").status_code == 302
    )
    assert OrderRun.objects.get(order=order).pickup_id == stop.pk

    response = post_change(buyer_client, order, place=f"run-{run.pk}-zone-{zone.pk}")
    assert response.status_code == 302
    order.refresh_from_db()
    link = OrderRun.objects.get(order=order)
    assert (link.pickup_id, link.zone_id) == (None, zone.pk)
    assert money.of(order).fees == D("5.00")
    assert money.of(order).due == D("20.00")

    # Below the zone's minimum: refused, nothing changes.
    before = state(order)
    response = post_change(buyer_client, order, {order.lines.get(): 2})
    assert response.status_code == 400
    assert "送货上门需满" in response.content.decode()
    assert state(order) == before

    # A stop of another run is not this order's to choose.
    response = post_change(buyer_client, order, place="run-999999-pickup-1")
    assert response.status_code == 400
    assert state(order) == before


def test_an_order_paid_online_that_shrinks_is_owed_the_difference(client, run, eggs):
    order = make_order(run, [(eggs, 10)], paid_online=True)
    url = reverse("buyer:order-change", kwargs={"token": links.order_token(order)})
    response = client.post(url, {f"qty-{order.lines.get().pk}": "4"})
    assert response.status_code == 302
    order.refresh_from_db()
    owed = RefundOwed.objects.get(order=order)
    assert owed.amount == D("9.00")
    assert money.of(order).due == D("6.00")
    assert money.of(order).refund_owed == D("9.00")
    page = client.get(links.order_path(order)).content.decode()
    assert "¥9.00 会原路退回给您" in page


@pytest.mark.usefixtures("stripe_fake")
def test_an_order_paid_online_can_grow_and_owes_the_difference(client, run, eggs):
    """The 补款 itself (Stripe, webhook, cash at hand-over): tests/buyer/test_pay_rest.py."""
    order = make_order(run, [(eggs, 10)], paid_online=True)
    order.sources.update(
        source_type=get_model("payment", "SourceType").objects.get_or_create(
            code="stripe", defaults={"name": "Stripe"}
        )[0]
    )
    url = reverse("buyer:order-change", kwargs={"token": links.order_token(order)})
    held = allocated(eggs)
    response = client.post(url, {f"qty-{order.lines.get().pk}": "12"})
    assert response.status_code == 302 and response.url.startswith("https://checkout.stripe.com/")
    assert order.lines.get().quantity == 12 and allocated(eggs) == held + 2
    assert load(run, eggs) == 12
    truth = money.of(order)
    assert truth.due == D("18.00") and truth.still_to_pay == D("3.00")
    assert not RefundOwed.objects.filter(order=order).exists()


def test_the_teams_lists_follow_the_change(client, order, run, eggs, greens, team):
    member = team_member(team)
    client.force_login(order.user)
    post_change(client, order, {order.lines.get(): 3}, add=(str(greens.pk), "5"))
    buyer_page = client.get(reverse("customer:order", args=[order.number])).content.decode()
    due = re.search(r'data-testid="money-due"[^>]*>(.*?)</dd>', buyer_page, re.S).group(1)
    to_collect = re.search(r'data-testid="money-to-collect"[^>]*>(.*?)</dd>', buyer_page, re.S)
    assert "24.50" in due and "24.50" in to_collect.group(1)  # 3 × 1.50 + 5 × 4.00
    client.force_login(member)
    packing = client.get(reverse("fulfilment:run-document", args=[run.pk, "packing"]))
    html = packing.content.decode()
    row = re.search(rf"{order.number}.*?(?={order.number}|$)", html, re.S).group(0)
    assert "小青菜" in row
    sheet = client.get(reverse("fulfilment:run-document", args=[run.pk, "sheet"]) + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    mine = [row for row in rows if row and isinstance(row[4], str) and order.number in row[4]]
    assert mine and all(D(str(row[5])) == D("24.50") for row in mine)
    driver = client.get(reverse("fulfilment:driver", args=[run.pk])).content.decode()
    card = re.search(rf'data-order="{order.number}".*?(?=data-order=|</ol>)', driver, re.S)
    assert "¥24.50" in card.group(0)
    orders_page = client.get(reverse("fulfilment:run-orders", args=[run.pk])).content.decode()
    assert "小青菜" in orders_page


# --- permissions from the outside ------------------------------------------------------


def test_another_buyer_cannot_see_or_change_the_order(client, order):
    other = UserFactory(username="neighbour", email="n@example.cn")
    client.force_login(other)
    before = state(order)
    assert client.get(change_url(order)).status_code == 404
    assert post_change(client, order, {order.lines.get(): 1}).status_code == 404
    assert state(order) == before


def test_signed_out_visitors_are_sent_to_sign_in(client, order):
    response = client.get(change_url(order))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_tampered_guest_link_is_a_404(client, run, eggs):
    order = make_order(run, [(eggs, 10)], email="")
    token = links.order_token(order)
    before = state(order)
    for bad in (token + "x", token.replace(order.number, "99999"), "nonsense"):
        url = reverse("buyer:order-change", kwargs={"token": bad})
        assert client.get(url).status_code == 404
        assert client.post(url, {f"qty-{order.lines.get().pk}": "1"}).status_code == 404
    assert state(order) == before
    good = reverse("buyer:order-change", kwargs={"token": token})
    assert client.get(good).status_code == 200
    guest_page = client.get(links.order_path(order)).content.decode()
    assert good in guest_page


def test_a_line_of_another_order_cannot_be_changed_through_this_one(buyer_client, order, run, eggs):
    stranger = make_order(run, [(eggs, 5)], email="")
    before = state(stranger)
    response = buyer_client.post(change_url(order), {f"qty-{stranger.lines.get().pk}": "1"})
    assert response.status_code == 400
    assert "这一行不属于这个订单" in response.content.decode()
    assert state(stranger) == before


def test_a_cancelled_order_cannot_be_changed(buyer_client, order):
    from shop.order import life

    life.cancel(order)
    response = post_change(buyer_client, order, {order.lines.get(): 1})
    assert response.status_code == 400
    assert "订单已经取消" in response.content.decode()
    assert order.lines.get().quantity == 10
    assert S.CANCELLED == Order.objects.get(pk=order.pk).status


def test_a_second_tap_planned_from_the_same_page_is_not_applied_again(order, eggs):
    from shop.order import life

    line = order.lines.get()
    first = changes.plan_change(order, {line.pk: "12"}, [], "")
    second = changes.plan_change(order, {line.pk: "12"}, [], "")
    life.changed_by_buyer(first)
    with pytest.raises(changes.ChangeRefused) as refused:
        life.changed_by_buyer(second)
    assert "刚刚改过了" in refused.value.messages[0]
    assert order.lines.get().quantity == 12
    assert allocated(eggs) == 12


@pytest.mark.usefixtures("stripe_fake")
def test_a_smaller_order_then_cancelled_is_owed_back_what_was_paid_once(client, run, eggs):
    """Found by the money machine: the cancellation owed back the whole payment although the
    smaller order's refund was still waiting, so the second refund was refused
    ("最多还能退 ¥0") and its row stayed open for ever."""
    from shop.order import life
    from shop.payment.methods import STRIPE
    from tests.payment import fake_stripe

    order = make_order(run, [(eggs, 10)], paid_online=True)
    intent = f"pi_test_{order.number}"
    order.sources.update(
        source_type=get_model("payment", "SourceType").objects.get_or_create(
            code=STRIPE, defaults={"name": "Stripe"}
        )[0],
        reference=intent,
    )
    fake_stripe.current.charged[intent] = int(order.total_incl_tax * 100)
    url = reverse("buyer:order-change", kwargs={"token": links.order_token(order)})
    assert client.post(url, {f"qty-{order.lines.get().pk}": "4"}).status_code == 302
    assert life.cancel(order, message="买家取消", refund_reason="买家截单前取消")

    owed = list(RefundOwed.objects.filter(order=order).order_by("pk"))
    assert [row.amount for row in owed] == [D("9.00"), D("6.00")]
    for row in owed:
        life.settle_owed(row)
    assert not RefundOwed.objects.filter(order=order, settled_at__isnull=True).exists()
    order.refresh_from_db()
    assert money.of(order).refund_owed == D("0.00") and money.of(order).refunds_paid == D("15.00")
    refunded = [
        r["amount"] for r in fake_stripe.current.refunds.values() if r["payment_intent"] == intent
    ]
    assert sorted(refunded) == [600, 900]
