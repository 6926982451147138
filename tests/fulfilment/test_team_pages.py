"""The team's pages from the outside: access per team, lists in three formats, the driver."""

import io
import uuid
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from fulfilment import runs, supply
from fulfilment.models import Allocation, DeliveryRun, DriverTap, OrderRun
from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

S = DeliveryRun.Status


@pytest.fixture
def busy_run(run, eggs, households, pickup_point):
    pickup_point.latitude, pickup_point.longitude = D("34.752"), D("113.625")
    pickup_point.save()
    supply.set_commitment(run, households["monitored"], eggs, 30)
    supply.set_commitment(run, households["other"], eggs, 30)
    make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    make_order(run, [(eggs, 20)], email="b@example.cn", name="李四")
    runs.change_status(run, S.CLOSED)
    return run


def team_urls(run):
    base = f"/shop/team/runs/{run.pk}"
    return [
        f"{base}/",
        f"{base}/supply/",
        f"{base}/shortfalls/",
        f"{base}/driver/",
        f"{base}/lists/collection/",
        f"{base}/lists/packing/",
        f"{base}/lists/sheet/",
        f"{base}/lists/sheet/?format=pdf",
        f"{base}/edit/",
        f"/shop/team/payouts/?run={run.pk}",
    ]


@pytest.mark.django_db
def test_member_of_another_team_gets_404_everywhere_and_changes_nothing(
    client, busy_run, other_team
):
    client.force_login(team_member(other_team))
    for url in team_urls(busy_run):
        assert client.get(url).status_code == 404, url
    base = f"/shop/team/runs/{busy_run.pk}"
    assert client.post(f"{base}/status/", {"to": "collecting"}).status_code == 404
    assert (
        client.post(
            f"{base}/driver/tap/", {"key": str(uuid.uuid4()), "action": "collected", "stop": "h1"}
        ).status_code
        == 404
    )
    busy_run.refresh_from_db()
    assert busy_run.status == S.CLOSED and not DriverTap.objects.exists()
    assert busy_run.team.name not in client.get("/shop/team/").content.decode()


@pytest.mark.django_db
def test_own_team_member_and_coordinator_see_the_pages(client, busy_run, member, coordinator):
    for user in (member, coordinator):
        client.force_login(user)
        for url in team_urls(busy_run):
            if url.endswith("/edit/"):
                continue  # closed runs redirect to their page
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_buyers_and_strangers_are_kept_out(client, busy_run, customer):
    assert client.get("/shop/team/").status_code == 302  # to login
    client.force_login(customer)
    assert client.get("/shop/team/").status_code == 403
    assert client.get(f"/shop/team/runs/{busy_run.pk}/").status_code == 403


@pytest.mark.django_db
def test_run_list_query_budget(client, member, team, django_assert_max_num_queries):
    for _ in range(8):
        DeliveryRunFactory(team=team)
    client.force_login(member)
    with django_assert_max_num_queries(20):
        assert client.get("/shop/team/").status_code == 200


@pytest.mark.django_db
def test_lists_on_screen_pdf_and_xlsx(client, busy_run, member, households):
    client.force_login(member)
    base = f"/shop/team/runs/{busy_run.pk}/lists"
    collection = client.get(f"{base}/collection/").content.decode()
    assert "吴奶奶家" in collection and "× 30" in collection  # the monitored household first
    assert "李大叔家" in collection and "× 10" in collection
    packing = client.get(f"{base}/packing/").content.decode()
    assert "张三" in packing and "李四" in packing
    sheet = client.get(f"{base}/sheet/").content.decode()
    assert "收现金 ¥30.00" in sheet
    pdf = client.get(f"{base}/packing/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"/FontFile2" in pdf.content  # the CJK font is embedded
    book = load_workbook(io.BytesIO(client.get(f"{base}/collection/?format=xlsx").content))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row if cell]
    assert "吴奶奶家" in values


@pytest.mark.django_db
def test_route_is_planned_and_drawn(client, busy_run, member):
    client.force_login(member)
    client.post(f"/shop/team/runs/{busy_run.pk}/route/")
    busy_run.refresh_from_db()
    keys = [stop["key"] for stop in busy_run.route["stops"]]
    assert sorted(keys[:2]) == sorted(f"h{a.household_id}" for a in busy_run.allocations.all())
    assert keys[2].startswith("p")
    page = client.get(f"/shop/team/runs/{busy_run.pk}/").content.decode()
    assert "<svg" in page and "<polyline" in page


def tap(client, run, key, action, stop, order=None):
    data = {"key": str(key), "action": action, "stop": stop}
    if order is not None:
        data["order"] = order.pk
    return client.post(f"/shop/team/runs/{run.pk}/driver/tap/", data)


@pytest.mark.django_db
def test_driver_taps_count_once_survive_reload_and_move_the_run_along(
    client, busy_run, member, households, django_capture_on_commit_callbacks
):
    client.force_login(member)
    key = uuid.uuid4()
    stop = f"h{households['monitored'].pk}"
    assert tap(client, busy_run, key, "collected", stop).status_code == 302
    assert tap(client, busy_run, key, "collected", stop).status_code == 302  # retried on bad signal
    assert DriverTap.objects.count() == 1
    busy_run.refresh_from_db()
    assert busy_run.status == S.COLLECTING
    assert busy_run.events.filter(to_status=S.COLLECTING).count() == 1
    assert Allocation.objects.get(run=busy_run, household=households["monitored"]).collected_at
    page = client.get(f"/shop/team/runs/{busy_run.pk}/driver/").content.decode()
    assert "✓ 已收货" in page

    mail.outbox.clear()
    links = list(OrderRun.objects.filter(run=busy_run))
    # In town nothing happens while a household is still to collect (issue 19) ...
    early = tap(client, busy_run, uuid.uuid4(), "arrived", f"p{links[0].pickup_id}")
    assert early.status_code == 302
    busy_run.refresh_from_db()
    assert busy_run.status == S.COLLECTING and DriverTap.objects.count() == 1
    # ... the last household collected puts the car on its way
    with django_capture_on_commit_callbacks(execute=True):
        tap(client, busy_run, uuid.uuid4(), "collected", f"h{households['other'].pk}")
    busy_run.refresh_from_db()
    assert busy_run.status == S.DELIVERING
    arrive = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        tap(client, busy_run, arrive, "arrived", f"p{links[0].pickup_id}")
        tap(client, busy_run, arrive, "arrived", f"p{links[0].pickup_id}")
    busy_run.refresh_from_db()
    assert busy_run.status == S.DELIVERING
    subjects = [m.subject for m in mail.outbox]
    assert sum("在路上" in s for s in subjects) == 2  # on its way, once per order
    assert sum("可以取" in s for s in subjects) == 2  # ready at the pickup point, once per order

    for link in links:
        handed = uuid.uuid4()
        with django_capture_on_commit_callbacks(execute=True):
            tap(client, busy_run, handed, "handed_over", f"p{link.pickup_id}", order=link.order)
            tap(client, busy_run, handed, "handed_over", f"p{link.pickup_id}", order=link.order)
    busy_run.refresh_from_db()
    assert busy_run.status == S.DONE
    assert sum("已交付" in m.subject for m in mail.outbox) == 2


@pytest.mark.django_db
def test_bad_driver_input_gets_a_message_and_changes_nothing(client, busy_run, member):
    client.force_login(member)
    response = tap(client, busy_run, "not-a-uuid", "collected", "h1")
    assert response.status_code == 302
    response = client.post(
        f"/shop/team/runs/{busy_run.pk}/driver/tap/",
        {"key": str(uuid.uuid4()), "action": "explode", "stop": "h1"},
        follow=True,
    )
    assert "未知操作" in response.content.decode()
    assert not DriverTap.objects.exists()


@pytest.mark.django_db
def test_illegal_status_button_is_refused_with_a_message(client, busy_run, member):
    client.force_login(member)
    response = client.post(f"/shop/team/runs/{busy_run.pk}/status/", {"to": "done"}, follow=True)
    assert "不能从" in response.content.decode()
    busy_run.refresh_from_db()
    assert busy_run.status == S.CLOSED


@pytest.mark.django_db
def test_member_plans_a_run_for_own_team_only(client, member, team, other_team, pickup_point):
    foreign = PickupPointFactory(team=other_team, name="别队自提点")
    client.force_login(member)
    data = {
        "team": team.pk,
        "date": "2030-05-04",
        "departure_time": "06:00",
        "cutoff": "2030-05-03T20:00",
        "capacity_kg": "300",
        "capacity_crates": "4",
        "start_label": "向阳村",
        "start_latitude": "34.8",
        "start_longitude": "113.5",
        f"stop-{pickup_point.pk}-on": "on",
        f"stop-{pickup_point.pk}-start": "09:00",
        f"stop-{pickup_point.pk}-end": "11:00",
    }
    response = client.post("/shop/team/runs/new/", data)
    assert response.status_code == 302
    created = DeliveryRun.objects.get(date="2030-05-04")
    assert list(created.stops.values_list("point", flat=True)) == [pickup_point.pk]
    assert created.events.get().actor == member

    data.update(team=other_team.pk, date="2030-05-05")
    assert client.post("/shop/team/runs/new/", data).status_code == 200
    data.update(
        {
            "team": team.pk,
            f"stop-{foreign.pk}-on": "on",
            f"stop-{foreign.pk}-start": "09:00",
            f"stop-{foreign.pk}-end": "11:00",
        }
    )
    response = client.post("/shop/team/runs/new/", data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not DeliveryRun.objects.filter(date="2030-05-05").exists()


@pytest.mark.django_db
def test_payout_statement_pdf_and_mark_paid(client, busy_run, member, households):
    DeliveryRun.objects.filter(pk=busy_run.pk).update(status=S.DONE)  # paid once delivered
    client.force_login(member)
    household = households["monitored"]
    page = client.get(f"/shop/team/payouts/?run={busy_run.pk}").content.decode()
    assert "吴奶奶家" in page and "¥45.00" in page
    pdf = client.get(f"/shop/team/payouts/{household.pk}/statement.pdf?run={busy_run.pk}")
    assert pdf.content.startswith(b"%PDF")
    # the first tap asks (issue 19), the confirmation pays, a second one pays nothing more
    asked = client.post(f"/shop/team/payouts/{household.pk}/paid/", {"run": busy_run.pk})
    assert "确认已付 ¥45.00" in asked.content.decode() and not household.payouts.exists()
    confirm = {"run": busy_run.pk, "confirm": "1", "seen": "45.00"}
    client.post(f"/shop/team/payouts/{household.pk}/paid/", confirm)
    client.post(f"/shop/team/payouts/{household.pk}/paid/", confirm)
    payout = household.payouts.get()
    assert payout.net == D("45.00") and payout.paid_by == member


@pytest.mark.django_db
def test_driver_marks_a_pickup_order_paid_and_the_button_goes(client, busy_run, member):
    client.force_login(member)
    driver = f"/shop/team/runs/{busy_run.pk}/driver/"
    page = client.get(driver).content.decode()
    assert page.count('data-testid="mark-paid"') == 2
    link = OrderRun.objects.filter(run=busy_run).select_related("order").first()
    response = client.post(reverse("payment:mark-paid", args=[link.order.number]), {"next": driver})
    assert response.status_code == 302
    assert client.get(driver).content.decode().count('data-testid="mark-paid"') == 1
