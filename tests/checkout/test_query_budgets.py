"""Basket and checkout cost a fixed number of SQL queries, whatever the basket holds.

A sale fair sends hundreds of buyers through add-to-basket and checkout at once; every
query per basket line or per delivery run multiplies. Budgets below are what the pages
cost today plus a little room; a change that makes them grow with the lines or the runs
fails here.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import supply
from fulfilment.models import CratePacking, DeliveryRun
from fulfilment.runs import CLOSE_CHECK_KEY
from shop.speed import request_cache
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.checkout.test_checkout import who_collects
from tests.fulfilment.factories import DeliveryRunFactory, pickup_code
from tests.order.factories import make_order

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

# Queries per request in tests: SQLite, sessions in the database and the order e-mail sent
# in-process (production keeps sessions in Redis and queues the e-mail, so it runs fewer).
BASKET_PAGE = 4
# Adding reads the product, its class and its stock records in one statement.
ADD_TO_BASKET = 11
NEW_VISITOR_ADD_TO_BASKET = 8  # a new basket: its lines need no reading
SHIPPING_METHOD_PAGE = 11
PAYMENT_METHOD_POST = 7
# Placing an order also records its confirmation text message (shop.notices: the Notice row in
# a savepoint) and reads the pickup place and window the message and the e-mail name: +6;
# the submitted form's one-time key is recorded with the order (OrderSubmission): +1; the room
# in the car comes back with the load statement (shop.order.placement): -1 ... and its
# booking row is written and removed around the order: +1; the booking is removed in one
# statement and the stock the order was placed on is known without reading it back: -2.
# On PostgreSQL the room on the run (with the households' commitments) and the stock are
# each taken in one statement (fulfilment.runs.take_room, shop.partner.reservations): -4,
# and a line's stock adds nothing to that statement: -1 per further line.
# The order is written without Oscar's question whether its number is taken (the number is
# unique in the table) and without its savepoint: -3 (shop.order.utils); the basket is
# submitted in the order's transaction (no query more, one commit fewer). On PostgreSQL the
# link to the run, the booking's removal and the stock's hand-over to the order are one
# statement (fulfilment.runs.link_order): -2.
ONE_STATEMENT_PLACEMENT = connection.vendor == "postgresql"
PLACE_ORDER_ONE_LINE = 54 if ONE_STATEMENT_PLACEMENT else 60
# the order line and its price, and on SQLite its stock (the payment rows are per order)
PLACE_ORDER_EACH_MORE_LINE = 2 if ONE_STATEMENT_PLACEMENT else 3
THANK_YOU_PAGE = 7
CONFIRM_PAGE = 12  # reads the session only: a new visitor's starts on the submit
CONFIRM_AND_PLACE_ONE_LINE = PLACE_ORDER_ONE_LINE - 1  # as PLACE_ORDER_ONE_LINE


@pytest.fixture
def run(pickup_point):
    return pickup_point.runs.get()


@pytest.fixture
def more_runs(team, pickup_point, run):
    """Two more open runs stopping at the same point: the choice page offers three."""
    return [
        DeliveryRunFactory(
            team=team,
            stops=[pickup_point],
            date=timezone.localdate() + datetime.timedelta(days=days),
            cutoff=timezone.now() + datetime.timedelta(days=days - 1),
        )
        for days in (4, 6)
    ]


@pytest.fixture
def shelf(team, more_runs):
    """Five products of the team, packed in crates, with a weight, and promised by a
    household for each open run, as a village's week looks."""
    household = HouseholdFactory(team=team)
    products = []
    for i in range(5):
        product = product_in_stock(
            team=team, title=f"散养土鸡蛋{i}", stock=500, weight_per_unit_g=50 + i
        )
        CratePacking.objects.create(product=product, units_per_crate=30)
        for open_run in DeliveryRun.objects.filter(team=team):
            supply.set_commitment(open_run, household, product, 200)
        products.append(product)
    return products


def add(client, product, quantity=2):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302
    return response


@pytest.fixture
def cost(client, django_assert_max_num_queries):
    """(queries, response) of one request; fails, listing the queries, above ``budget``."""

    def cost(method, url, budget, data=None):
        with django_assert_max_num_queries(budget) as ctx:
            response = getattr(client, method)(url, data or {})
        return len(ctx.captured_queries), response

    return cost


def start_checkout(client):
    client.post(reverse("checkout:index"), {"username": "guest@example.cn", "options": "anonymous"})
    response = who_collects(client)
    assert response.status_code == 302


def choose(client, code):
    client.post(reverse("checkout:shipping-method"), {"method_code": code})
    response = client.post(reverse("checkout:payment-method"), {"method": "pay-on-pickup"})
    assert response.status_code == 302


@pytest.fixture
def warm(client, shelf):
    """One request first, so per-process caches (site, content types, offers) are warm,
    and the institutions' private drop-offs kept (read once per cache generation)."""
    from shop.institutions.membership import closed_point_ids

    client.get(reverse("basket:summary"))
    closed_point_ids(None)


@pytest.mark.django_db
def test_basket_page_and_add_to_basket_cost_the_same_for_one_line_or_five(
    client, shelf, warm, cost
):
    add(client, shelf[0])
    client.get(reverse("basket:summary"))  # the first look makes the "no photo" thumbnail
    one_line, page = cost("get", reverse("basket:summary"), BASKET_PAGE)
    assert page.status_code == 200 and "散养土鸡蛋0" in page.content.decode()
    add_second, _ = cost(
        "post", reverse("basket:add", kwargs={"pk": shelf[1].pk}), ADD_TO_BASKET, {"quantity": 2}
    )
    for product in shelf[2:4]:
        add(client, product)
    add_fifth, response = cost(
        "post", reverse("basket:add", kwargs={"pk": shelf[4].pk}), ADD_TO_BASKET, {"quantity": 2}
    )
    assert response.status_code == 302
    five_lines, page = cost("get", reverse("basket:summary"), BASKET_PAGE)
    html = page.content.decode()
    assert all(f"散养土鸡蛋{i}" in html for i in range(5))
    assert "¥15.00" in html  # 10 eggs at ¥1.50: the basket total is right

    assert five_lines == one_line <= BASKET_PAGE
    assert add_fifth == add_second <= ADD_TO_BASKET


@pytest.mark.django_db
def test_new_visitor_adding_to_basket_keeps_to_the_budget(client, shelf, warm, cost):
    queries, response = cost(
        "post",
        reverse("basket:add", kwargs={"pk": shelf[0].pk}),
        NEW_VISITOR_ADD_TO_BASKET,
        {"quantity": 2},
    )
    assert response.status_code == 302
    # the message says the new total, worked out without reading the new line back
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "¥3.00" in said
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 2
    assert queries <= NEW_VISITOR_ADD_TO_BASKET


@pytest.mark.django_db
def test_delivery_choice_costs_the_same_for_two_runs_or_three_and_one_line_or_five(
    client, shelf, run, more_runs, warm, cost
):
    def checkout_pages(lines, runs):
        client.cookies.clear()
        last = more_runs[-1]
        last.status = DeliveryRun.Status.OPEN if runs == 3 else DeliveryRun.Status.CANCELLED
        last.save(update_fields=["status"])
        cache.delete(CLOSE_CHECK_KEY)  # both measure the look for due runs
        request_cache.clear_local()
        for product in shelf[:lines]:
            add(client, product)
        start_checkout(client)
        choice, page = cost("get", reverse("checkout:shipping-method"), SHIPPING_METHOD_PAGE)
        codes = [pickup_code(r) for r in [run, *more_runs][:runs]]
        assert page.status_code == 200 and all(code in page.content.decode() for code in codes)
        client.post(reverse("checkout:shipping-method"), {"method_code": pickup_code(run)})
        payment, response = cost(
            "post",
            reverse("checkout:payment-method"),
            PAYMENT_METHOD_POST,
            {"method": "pay-on-pickup"},
        )
        assert response.status_code == 302
        return choice, payment

    small = checkout_pages(lines=1, runs=2)
    big = checkout_pages(lines=5, runs=3)
    assert big == small
    assert small[0] <= SHIPPING_METHOD_PAGE and small[1] <= PAYMENT_METHOD_POST


@pytest.mark.django_db
def test_placing_an_order_keeps_to_its_budget(client, shelf, run, more_runs, warm, cost):
    def place(lines):
        client.cookies.clear()
        for product in shelf[:lines]:
            add(client, product)
        start_checkout(client)
        choose(client, pickup_code(run))
        queries, response = cost(
            "post",
            reverse("checkout:preview"),
            PLACE_ORDER_ONE_LINE + (lines - 1) * PLACE_ORDER_EACH_MORE_LINE,
            {"action": "place_order"},
        )
        assert response.status_code == 302 and response["Location"].endswith(
            reverse("checkout:thank-you")
        )
        thanks, page = cost("get", reverse("checkout:thank-you"), THANK_YOU_PAGE)
        assert page.status_code == 200 and "散养土鸡蛋0" in page.content.decode()
        return queries, thanks

    one_line, one_line_thanks = place(1)
    five_lines, five_lines_thanks = place(5)
    assert Order.objects.count() == 2
    assert Order.objects.order_by("pk").last().lines.count() == 5
    assert one_line <= PLACE_ORDER_ONE_LINE
    assert five_lines - one_line <= 4 * PLACE_ORDER_EACH_MORE_LINE
    assert five_lines_thanks == one_line_thanks <= THANK_YOU_PAGE


@pytest.mark.django_db
def test_the_order_confirmation_page_and_its_one_tap_keep_to_their_budgets(
    client, shelf, run, more_runs, warm, cost
):
    """The page buyers take: the same queries for one line or five and two runs or three;
    submitting it places the order for a few queries more than the preview's button."""

    def confirm(lines, runs):
        client.cookies.clear()
        last = more_runs[-1]
        last.status = DeliveryRun.Status.OPEN if runs == 3 else DeliveryRun.Status.CANCELLED
        last.save(update_fields=["status"])
        cache.delete(CLOSE_CHECK_KEY)
        request_cache.clear_local()
        for product in shelf[:lines]:
            add(client, product)
        client.get(reverse("basket:summary"))  # the first look makes the "no photo" thumbnail
        page_queries, page = cost("get", reverse("checkout:confirm"), CONFIRM_PAGE)
        codes = [pickup_code(r) for r in [run, *more_runs][:runs]]
        assert page.status_code == 200 and all(code in page.content.decode() for code in codes)
        data = {
            "first_name": "林小满",
            "phone_number": "13812345678",
            "guest_email": "guest@example.cn",
            "method_code": pickup_code(run),
            "method": "pay-on-pickup",
        }
        placed, response = cost(
            "post",
            reverse("checkout:confirm"),
            CONFIRM_AND_PLACE_ONE_LINE + (lines - 1) * PLACE_ORDER_EACH_MORE_LINE,
            data,
        )
        assert response.status_code == 302 and response["Location"].endswith(
            reverse("checkout:thank-you")
        )
        return page_queries, placed

    small = confirm(lines=1, runs=2)
    big = confirm(lines=5, runs=3)
    assert Order.objects.order_by("pk").last().lines.count() == 5
    assert big[0] == small[0] <= CONFIRM_PAGE
    assert small[1] <= CONFIRM_AND_PLACE_ONE_LINE
    assert big[1] - small[1] <= 4 * PLACE_ORDER_EACH_MORE_LINE


@pytest.mark.django_db
def test_run_filled_by_another_order_during_checkout_is_refused_under_the_lock(
    client, team, run, monkeypatch
):
    """The checks remembered earlier in the same request never stand in for taking the
    room when the order is placed."""
    from shop.checkout.views import PaymentDetailsView

    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("5"))
    add(client, chickens, 2)  # 3 kg of the 5
    start_checkout(client)
    choose(client, pickup_code(run))

    checked = PaymentDetailsView.check_delivery_run_takes_the_basket

    def another_buyer_fills_the_car(view, request):
        checked(view, request)  # passes: the car still has room
        make_order(DeliveryRun.objects.get(pk=run.pk), [(chickens, 2)], email="other@example.cn")

    monkeypatch.setattr(
        PaymentDetailsView, "check_delivery_run_takes_the_basket", another_buyer_fills_the_car
    )
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})

    assert Order.objects.filter(guest_email="guest@example.cn").count() == 0
    assert "只能再装约 2.0 公斤" in response.content.decode()
    record = StockRecord.objects.get(product=chickens)
    assert record.num_allocated == 2  # the other buyer's two; nothing held for this basket
