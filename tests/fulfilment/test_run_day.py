"""The run day from the outside (issue 19): a run's orders, the steps that ask before they
act (close, cancel, shortfall, payout, set off without the rest), undo of the last
hand-over and collection, the cash tap, and the run sheet's cash as numbers."""

import io
import uuid
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from oscar.core.loading import get_model

from fulfilment import runs, shortfalls, supply
from fulfilment.models import (
    Allocation,
    DeliveryRun,
    DriverTap,
    OrderRun,
    Payout,
    RunEvent,
    Shortfall,
)
from shop.order import money
from shop.order import status as order_status
from tests.order.factories import make_order
from tests.partner.factories import team_member

S = DeliveryRun.Status
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")


@pytest.fixture
def busy_run(run, eggs, households, pickup_point):
    """Closed: 吴奶奶家 (monitored) is credited 30 eggs and 李大叔家 10; 张三 and 李四 ordered
    20 each (¥30.00, pay on pickup) for the pickup point."""
    supply.set_commitment(run, households["monitored"], eggs, 30)
    supply.set_commitment(run, households["other"], eggs, 30)
    make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    make_order(run, [(eggs, 20)], email="b@example.cn", name="李四")
    runs.change_status(run, S.CLOSED)
    return run


def tap(client, run, action, stop, order=None, key=None, json=False):
    data = {"key": str(key or uuid.uuid4()), "action": action, "stop": stop}
    if order is not None:
        data["order"] = order.pk
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("fulfilment:driver-tap", args=[run.pk]), data, **headers)


def collect(client, run, household):
    return tap(client, run, "collected", f"h{household.pk}")


def stop_of(order):
    return f"p{OrderRun.objects.get(order=order).pickup_id}"


def text(response):
    return response.content.decode()


# --- the run's orders ------------------------------------------------------------------


@pytest.mark.django_db
def test_orders_page_shows_buyer_phone_stop_lines_cuts_money_and_filters_by_stop(
    client, run, member, households, eggs, zone, pickup_point
):
    run.zones.add(zone)
    supply.set_commitment(run, households["monitored"], eggs, 30)
    supply.set_commitment(run, households["other"], eggs, 30)
    make_order(run, [(eggs, 20)], name="王五", zone=zone, line1="城关镇建设路 12 号")
    make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    make_order(run, [(eggs, 20)], email="b@example.cn", name="李四")
    runs.change_status(run, S.CLOSED)
    busy_run = run
    shortfalls.record_shortfall(busy_run, households["other"], eggs, 4, actor=member)
    client.force_login(member)
    url = reverse("fulfilment:run-orders", args=[busy_run.pk])
    assert url in text(client.get(reverse("fulfilment:run-detail", args=[busy_run.pk])))

    page = text(client.get(url))
    for name in ("张三", "李四", "王五"):
        assert name in page
    assert 'href="tel:+8613812345678"' in page
    assert pickup_point.name in page and "城关镇建设路 12 号" in page
    # 李四 ordered last: the shortfall of 4 took 4 of their 20 eggs
    assert "<s>20</s> 16" in page and "部分缺货" in page
    truth = money.of(Order.objects.get(shipping_address__first_name="李四"))
    assert truth.cash_to_collect == D("24.00")
    assert "取货收现金 ¥24.00" in page and "取货收现金 ¥30.00" in page
    assert order_status.label(order_status.CONFIRMED) in page

    home_only = text(client.get(url, {"stop": f"z{zone.pk}"}))
    assert "王五" in home_only and "张三" not in home_only and "李四" not in home_only
    zhang_san = Order.objects.get(shipping_address__first_name="张三")
    pickup_only = text(client.get(url, {"stop": stop_of(zhang_san)}))
    assert "张三" in pickup_only and "王五" not in pickup_only
    # a stop that is not the run's shows everything rather than nothing
    assert "王五" in text(client.get(url, {"stop": "p999999"}))


@pytest.mark.django_db
def test_orders_page_costs_the_same_queries_for_2_and_8_orders(
    client, member, run, eggs, households, django_assert_max_num_queries
):
    supply.set_commitment(run, households["monitored"], eggs, 200)
    client.force_login(member)
    url = reverse("fulfilment:run-orders", args=[run.pk])
    for n in range(2):
        make_order(run, [(eggs, 1)], email=f"b{n}@example.cn", name=f"买家{n}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for n in range(2, 8):
        make_order(run, [(eggs, 1)], email=f"b{n}@example.cn", name=f"买家{n}")
    with django_assert_max_num_queries(len(two.captured_queries)):
        page = text(client.get(url))
    assert page.count('data-testid="run-order"') == 8


@pytest.mark.django_db
def test_another_teams_member_cannot_see_or_touch_the_run_day(
    client, busy_run, other_team, households
):
    client.force_login(team_member(other_team))
    base = f"/shop/team/runs/{busy_run.pk}"
    assert client.get(f"{base}/orders/").status_code == 404
    assert client.get(f"{base}/driver/set-off/").status_code == 404
    assert client.post(f"{base}/driver/set-off/", {"confirm": "1"}).status_code == 404
    assert client.post(f"{base}/driver/undo/", {"key": str(uuid.uuid4())}).status_code == 404
    assert client.post(f"{base}/status/", {"to": "cancelled", "confirm": "1"}).status_code == 404
    busy_run.refresh_from_db()
    assert busy_run.status == S.CLOSED
    client.logout()
    assert client.get(f"{base}/orders/").status_code == 302  # to the sign-in page


# --- closing and cancelling ask first ---------------------------------------------------


@pytest.mark.django_db
def test_closing_early_shows_the_figures_then_closes_on_confirm(client, run, eggs, member):
    make_order(run, [(eggs, 20)], name="张三")
    make_order(run, [(eggs, 10)], name="李四")
    client.force_login(member)
    url = reverse("fulfilment:run-status", args=[run.pk])

    first = client.post(url, {"to": "closed"})
    assert first.status_code == 200
    page = text(first)
    assert "提前截单" in page and "2 个订单会被确认" in page and "¥45.00" in page
    run.refresh_from_db()
    assert run.status == S.OPEN

    seen = first.context["preview"]["seen"]
    make_order(run, [(eggs, 1)], name="王五")  # someone orders while the page is open
    stale = client.post(url, {"to": "closed", "confirm": "1", "seen": seen})
    assert stale.status_code == 200 and "情况有变化" in text(stale)
    assert "3 个订单会被确认" in text(stale)
    run.refresh_from_db()
    assert run.status == S.OPEN

    seen = stale.context["preview"]["seen"]
    done = client.post(url, {"to": "closed", "confirm": "1", "seen": seen}, follow=True)
    assert "已截单" in text(done)
    run.refresh_from_db()
    assert run.status == S.CLOSED
    twice = client.post(url, {"to": "closed", "confirm": "1", "seen": seen}, follow=True)
    assert "不能从" in text(twice)
    assert RunEvent.objects.filter(run=run, to_status=S.CLOSED).count() == 1


@pytest.mark.django_db
def test_cancelling_a_run_says_how_much_goes_back_first(client, run, eggs, member):
    make_order(run, [(eggs, 20)], paid_online=True)
    client.force_login(member)
    url = reverse("fulfilment:run-status", args=[run.pk])
    first = client.post(url, {"to": "cancelled"})
    assert "1 个订单会被取消" in text(first) and "¥30.00 要退回" in text(first)
    run.refresh_from_db()
    assert run.status == S.OPEN
    client.post(url, {"to": "cancelled", "confirm": "1", "seen": first.context["preview"]["seen"]})
    run.refresh_from_db()
    assert run.status == S.CANCELLED


# --- a shortfall asks first ------------------------------------------------------------


@pytest.mark.django_db
def test_shortfall_shows_orders_and_money_then_records_once(
    client, busy_run, member, households, eggs
):
    client.force_login(member)
    url = reverse("fulfilment:run-shortfalls", args=[busy_run.pk])
    data = {"household": households["monitored"].pk, "product": eggs.pk, "quantity": 25}
    first = client.post(url, data)
    page = text(first)
    # last ordered first: 李四's 20 and 5 of 张三's, ¥37.50
    assert "2 个订单会减少，共 ¥37.50" in page
    assert not Shortfall.objects.exists()

    seen = first.context["preview"].seen
    confirmed = client.post(url, {**data, "confirm": "1", "seen": seen}, follow=True)
    assert "已登记缺货" in text(confirmed)
    again = client.post(url, {**data, "confirm": "1", "seen": seen})  # sent twice
    assert "少交数量不能超过" in text(again)  # 吴奶奶家 has 5 left to fall short of
    smaller = {**data, "quantity": 5}
    stale = client.post(url, {**smaller, "confirm": "1", "seen": seen})
    assert "情况有变化" in text(stale)
    assert Shortfall.objects.count() == 1
    assert Allocation.objects.get(run=busy_run, household=households["monitored"]).quantity == 5


@pytest.mark.django_db
def test_shortfall_beyond_what_was_credited_is_refused_before_the_confirmation(
    client, busy_run, member, households, eggs
):
    client.force_login(member)
    url = reverse("fulfilment:run-shortfalls", args=[busy_run.pk])
    data = {"household": households["other"].pk, "product": eggs.pk, "quantity": 11}
    for extra in ({}, {"confirm": "1", "seen": "x"}):
        response = client.post(url, {**data, **extra})
        assert "少交数量不能超过" in text(response)
        assert 'data-testid="confirm"' not in text(response)
    assert client.post(url, {**data, "quantity": "abc"}).status_code == 200
    assert not Shortfall.objects.exists()


# --- paying a household asks first -------------------------------------------------------


@pytest.mark.django_db
def test_payout_shows_the_amount_then_pays_once(client, busy_run, member, households, other_team):
    DeliveryRun.objects.filter(pk=busy_run.pk).update(status=S.DONE)
    household = households["monitored"]
    url = reverse("fulfilment:payout-paid", args=[household.pk])
    client.force_login(team_member(other_team, username="outsider"))
    assert (
        client.post(url, {"run": busy_run.pk, "confirm": "1", "seen": "45.00"}).status_code == 404
    )

    client.force_login(member)
    first = client.post(url, {"run": busy_run.pk})
    assert first.status_code == 200
    assert "吴奶奶家" in text(first) and "确认已付 ¥45.00" in text(first)
    assert not Payout.objects.exists()
    wrong = client.post(url, {"run": busy_run.pk, "confirm": "1", "seen": "40.00"})
    assert "金额有变化" in text(wrong) and not Payout.objects.exists()
    client.post(url, {"run": busy_run.pk, "confirm": "1", "seen": "45.00"})
    twice = client.post(url, {"run": busy_run.pk, "confirm": "1", "seen": "45.00"}, follow=True)
    assert "已经标记过付款" in text(twice)
    payout = Payout.objects.get()
    assert payout.net == D("45.00") and payout.paid_by == member


# --- the car leaves only when everyone is collected, or on purpose -------------------------


@pytest.mark.django_db
def test_town_taps_wait_for_the_last_household(client, busy_run, member, households):
    client.force_login(member)
    collect(client, busy_run, households["monitored"])
    order = Order.objects.get(shipping_address__first_name="张三")
    refused = tap(client, busy_run, "handed_over", stop_of(order), order=order, json=True)
    assert refused.status_code == 409 and "不等了，出发" in refused.json()["error"]
    busy_run.refresh_from_db()
    order.refresh_from_db()
    assert busy_run.status == S.COLLECTING and order.status == order_status.COLLECTING
    status = client.post(reverse("fulfilment:run-status", args=[busy_run.pk]), {"to": "delivering"})
    assert status.url == reverse("fulfilment:set-off", args=[busy_run.pk])
    with pytest.raises(runs.IllegalTransition):
        runs.change_status(busy_run, S.DELIVERING)

    collect(client, busy_run, households["other"])
    busy_run.refresh_from_db()
    order.refresh_from_db()
    assert busy_run.status == S.DELIVERING and order.status == order_status.ON_ITS_WAY
    assert tap(client, busy_run, "handed_over", stop_of(order), order=order).status_code == 302
    order.refresh_from_db()
    assert order.status == order_status.HANDED_OVER


@pytest.mark.django_db
def test_setting_off_without_the_rest_records_their_shortfall_after_a_confirm(
    client, busy_run, member, households
):
    client.force_login(member)
    collect(client, busy_run, households["monitored"])
    url = reverse("fulfilment:set-off", args=[busy_run.pk])
    driver_page = text(client.get(reverse("fulfilment:driver", args=[busy_run.pk])))
    assert url in driver_page and "不等了，出发" in driver_page

    first = client.get(url)
    page = text(first)
    # 李大叔家 was to bring 10 eggs: 李四 (ordered last) loses 10, ¥15.00
    assert "李大叔家" in page and "吴奶奶家" not in page
    assert "1 个订单减少，共 ¥15.00" in page
    busy_run.refresh_from_db()
    assert busy_run.status == S.COLLECTING and not Shortfall.objects.exists()

    stale = client.post(url, {"confirm": "1", "seen": "something else"})
    assert "情况有变化" in text(stale) and not Shortfall.objects.exists()

    done = client.post(url, {"confirm": "1", "seen": first.context["seen"]}, follow=True)
    assert "已出发" in text(done)
    busy_run.refresh_from_db()
    assert busy_run.status == S.DELIVERING
    shortfall = Shortfall.objects.get()
    assert shortfall.household == households["other"] and shortfall.quantity == 10
    li_si = Order.objects.get(shipping_address__first_name="李四")
    assert money.of(li_si).cash_to_collect == D("15.00")
    assert li_si.status == order_status.ON_ITS_WAY
    again = client.post(url, {"confirm": "1", "seen": first.context["seen"]}, follow=True)
    assert "车已经出发了" in text(again) and Shortfall.objects.count() == 1


@pytest.mark.django_db
def test_an_order_the_set_off_cut_to_nothing_leaves_the_drivers_stops(
    client, run, eggs, households, pickup_point, member
):
    supply.set_commitment(run, households["monitored"], eggs, 20)
    supply.set_commitment(run, households["other"], eggs, 20)
    zhang = make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    li = make_order(run, [(eggs, 20)], email="b@example.cn", name="李四")
    runs.change_status(run, S.CLOSED)
    client.force_login(member)
    collect(client, run, households["monitored"])
    url = reverse("fulfilment:set-off", args=[run.pk])
    first = client.get(url)
    client.post(url, {"confirm": "1", "seen": first.context["seen"]})

    assert money.of(Order.objects.get(pk=li.pk)).cash_to_collect == 0
    driver_page = text(client.get(reverse("fulfilment:driver", args=[run.pk])))
    assert f"订单 {zhang.number}" in driver_page
    assert f"订单 {li.number}" not in driver_page  # nothing left to hand over or collect
    orders_page = text(client.get(reverse("fulfilment:run-orders", args=[run.pk])))
    assert li.number in orders_page  # the team still sees it, cut


# --- undo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_undo_the_last_hand_over(client, busy_run, member, households):
    client.force_login(member)
    for household in households.values():
        collect(client, busy_run, household)
    first, second = Order.objects.filter(run_link__run=busy_run).order_by("pk")
    tap(client, busy_run, "handed_over", stop_of(first), order=first)
    key = uuid.uuid4()
    tap(client, busy_run, "handed_over", stop_of(second), order=second, key=key)
    busy_run.refresh_from_db()
    assert busy_run.status == S.DONE
    driver = reverse("fulfilment:driver", args=[busy_run.pk])
    page = text(client.get(driver))
    assert f'value="{key}"' in page and "撤销" in page

    older = DriverTap.objects.get(order=first, action="handed_over")
    refused = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": str(older.key)}, follow=True
    )
    assert "不能撤销" in text(refused)
    first.refresh_from_db()
    assert first.status == order_status.HANDED_OVER

    undone = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": str(key)}, follow=True
    )
    assert "已撤销" in text(undone)
    second.refresh_from_db()
    busy_run.refresh_from_db()
    assert second.status == order_status.ON_ITS_WAY
    assert OrderRun.objects.get(order=second).handed_over_at is None
    assert busy_run.status == S.DELIVERING
    assert second.status_changes.order_by("-pk").first().new_status == order_status.ON_ITS_WAY
    assert OrderNote.objects.filter(order=second, message__contains="撤销交货").exists()
    assert money.of(second).cash_to_collect == D("30.00")

    twice = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": str(key)}, follow=True
    )
    assert "不能撤销" in text(twice)
    bad = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": "nope"}, follow=True
    )
    assert "按钮已失效" in text(bad)
    # the order can be handed over again, and the run finishes again
    tap(client, busy_run, "handed_over", stop_of(second), order=second)
    busy_run.refresh_from_db()
    assert busy_run.status == S.DONE


@pytest.mark.django_db
def test_undo_the_last_collection_steps_the_run_back(client, busy_run, member, households):
    client.force_login(member)
    collect(client, busy_run, households["monitored"])
    busy_run.refresh_from_db()
    assert busy_run.status == S.COLLECTING
    last = DriverTap.objects.get()
    response = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": str(last.key)}
    )
    assert response.status_code == 302
    busy_run.refresh_from_db()
    assert busy_run.status == S.CLOSED
    assert not Allocation.objects.filter(run=busy_run, collected_at__isnull=False).exists()
    statuses = set(Order.objects.filter(run_link__run=busy_run).values_list("status", flat=True))
    assert statuses == {order_status.CONFIRMED}
    assert RunEvent.objects.filter(run=busy_run, to_status=S.CLOSED, note__contains="撤销").exists()


@pytest.mark.django_db
def test_a_collection_cannot_be_undone_once_the_car_handed_over_in_town(
    client, busy_run, member, households
):
    client.force_login(member)
    collect(client, busy_run, households["monitored"])
    collect(client, busy_run, households["other"])
    order = Order.objects.filter(run_link__run=busy_run).first()
    tap(client, busy_run, "handed_over", stop_of(order), order=order)
    last = DriverTap.objects.filter(action="collected").order_by("-pk").first()
    refused = client.post(
        reverse("fulfilment:driver-undo", args=[busy_run.pk]), {"key": str(last.key)}, follow=True
    )
    assert "不能撤销" in text(refused)
    busy_run.refresh_from_db()
    assert busy_run.status == S.DELIVERING


# --- cash on the driver page ---------------------------------------------------------------


@pytest.mark.django_db
def test_cash_tap_goes_through_the_driver_queue_and_counts_once(
    client, busy_run, member, households, team
):
    client.force_login(member)
    order = Order.objects.filter(run_link__run=busy_run).first()
    page = text(client.get(reverse("fulfilment:driver", args=[busy_run.pk])))
    card = page[page.index(f'data-order="{order.number}"') :]
    assert 'name="action" value="paid"' in card and "已收款 ¥30.00" in card

    first = tap(client, busy_run, "paid", stop_of(order), order=order, json=True)
    assert first.json()["ok"] and not first.json().get("already")
    order.refresh_from_db()
    assert money.of(order).paid_cash == D("30.00") and money.of(order).cash_to_collect == 0
    # a second phone tapped too, offline: reported, not recorded again
    second_member = team_member(team, username="second")
    client.force_login(second_member)
    second = tap(client, busy_run, "paid", stop_of(order), order=order, json=True)
    assert second.json()["already"] and "已由" in second.json()["message"]
    money.forget(order)
    assert money.of(order).paid_cash == D("30.00")
    assert DriverTap.objects.filter(action="paid").count() == 1
    elsewhere = tap(client, busy_run, "paid", "p1", order=None, json=True)
    assert elsewhere.status_code == 409


@pytest.mark.django_db
def test_run_sheet_cash_column_holds_numbers(client, busy_run, member):
    client.force_login(member)
    sheet = client.get(
        reverse("fulfilment:run-document", args=[busy_run.pk, "sheet"]) + "?format=xlsx"
    )
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header = rows[1]
    cash = [row[header.index("代收现金")] for row in rows[2:]]
    amounts = [value for value in cash if value not in (None, "")]
    assert amounts and all(isinstance(value, int | float) for value in amounts)
    assert sorted(amounts) == [30, 30]


@pytest.mark.django_db
def test_the_run_day_pages_speak_english_under_en(client, busy_run, member, households):
    client.force_login(member)
    orders = text(client.get(f"/en/shop/team/runs/{busy_run.pk}/orders/"))
    assert "Collect ¥30.00 in cash" in orders and "取货收现金" not in orders
    cancelling = client.post(f"/en/shop/team/runs/{busy_run.pk}/status/", {"to": "cancelled"})
    assert "Yes, cancel the run" in text(cancelling)
    collect(client, busy_run, households["monitored"])
    set_off = text(client.get(f"/en/shop/team/runs/{busy_run.pk}/driver/set-off/"))
    assert "Leave now and record the shortfalls" in set_off
    assert "1 household not collected yet:" in set_off
