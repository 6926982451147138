"""Reports add up to the order lines: a split basket, a shortfall, a refund, cancellations."""

import csv
import io
from datetime import time
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from oscar.core.loading import get_model

from fulfilment.models import Allocation, DeliveryRun, RefundOwed, RunPickup, Shortfall
from shop.desk.reports import REPORTS, SalesReport
from shop.figures import running
from shop.order import life
from shop.order import status as S
from tests.fulfilment.factories import PickupPointFactory
from tests.order.factories import make_order, make_split_order, move_on, own_run

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Refund = get_model("payment", "Refund")
RefundLine = get_model("payment", "RefundLine")


@pytest.fixture
def sales(world):
    """On top of ``world`` (A: 3 + 2 eggs, B: 3 + 5 chickens, all at 2.00):

    - A: 10 more eggs, paid online, of which a shortfall cut 2 (the refund owed for it);
    - A: 1.00 refunded on the 3-egg order for a broken egg;
    - A: an order whose line the team cancelled and B: a cancelled order, which count for
      nothing.

    Orders are placed and moved on as the shop does (``tests.order.factories``)."""
    a, b = world["a"], world["b"]
    point = PickupPointFactory(team=a.team, name="县医院大厅")
    stop = RunPickup.objects.create(
        run=a.run, point=point, window_start=time(9, 0), window_end=time(11, 0)
    )
    big = make_order(a.run, [(a.product, 10)], stop=stop, email="big@example.cn", paid_online=True)
    big_line = big.lines.get()
    shortfall = Shortfall.objects.create(
        run=a.run, household=a.household, product=a.product, quantity=2
    )
    life.cut_lines(shortfall, {big_line: 2})
    assert RefundOwed.objects.get(order=big).amount == D("4.00")
    Allocation.objects.create(
        run=a.run, household=a.household, product=a.product, quantity=8, unit_price=D("2.00")
    )

    only_a_line = a.order.lines.get()
    refund = Refund.objects.create(
        order=a.order,
        source=a.order.sources.get(),  # paid on pickup
        amount=D("1.00"),
        reason=Refund.Reason.DAMAGED,
        state=Refund.State.CASH_OWED,
    )
    RefundLine.objects.create(refund=refund, line=only_a_line, quantity=1, amount=D("1.00"))

    cancelled_line_order = make_order(None, [(a.product, 4)])
    life.cancel_lines(cancelled_line_order, list(cancelled_line_order.lines.all()))
    make_order(None, [(b.product, 7)], status=S.CANCELLED)
    # Reports count goods handed over: every order that is not cancelled was.
    for order in (a.order, b.order, *world["split"].values(), big):
        move_on(order, S.HANDED_OVER)
    DeliveryRun.objects.filter(pk=a.run.pk).update(status=DeliveryRun.Status.DONE)
    running.rebuild()  # the allocation and the refund above were written by hand
    return world


def expected_net(team=None):
    """Σ line price − cuts − the team's refunds over lines handed over, computed plainly."""
    total = D("0")
    for line in Line.objects.select_related("order"):
        if line.status == S.CANCELLED or line.order.status not in S.DELIVERED:
            continue
        if team is not None and line.partner_id != team.pk:
            continue
        total += line.line_price_incl_tax
        total -= sum((c.amount for c in line.cuts.all()), D("0"))
        total -= sum(
            (r.amount for r in RefundLine.objects.filter(line=line, refund__owed__isnull=True)),
            D("0"),
        )
    return total


@pytest.mark.parametrize("report", list(REPORTS))
def test_every_breakdown_adds_up_to_the_order_lines(sales, report):
    if report == "buyers":
        pytest.skip("repeat buyers is a subset by design")
    everyone = SalesReport()
    assert everyone.total().amount == expected_net() == D("41.00")
    rows = everyone.rows(report)
    assert sum((row.amount for row in rows), D("0")) == D("41.00")

    team_a = SalesReport(team_ids=[sales["a"].team.pk])
    assert team_a.total().amount == expected_net(sales["a"].team) == D("25.00")
    assert sum((row.amount for row in team_a.rows(report)), D("0")) == D("25.00")
    assert team_a.total().quantity == 3 + 2 + 8


def test_household_income_is_what_was_credited_plus_what_is_not_yet(sales):
    rows = SalesReport(team_ids=[sales["a"].team.pk]).by_household()
    by_label = {str(row.label): row.amount for row in rows}
    household = sales["a"].household
    assert by_label[f"{household.public_name}（{household.village.name}）"] == D("16.00")
    assert by_label["尚未记到农户"] == D("9.00")


def test_pickup_point_use_counts_orders_per_point(sales):
    rows = SalesReport(team_ids=[sales["a"].team.pk]).by_pickup()
    by_label = {str(row.label): row for row in rows}
    assert by_label["县医院大厅"].orders == 1
    assert by_label["县医院大厅"].amount == D("16.00")


def test_repeat_buyers(world):
    buyer = world["customer"]
    make_order(None, [(world["a"].product, 1)], user=buyer, status=S.HANDED_OVER)
    make_order(None, [(world["a"].product, 1)], user=buyer, status=S.HANDED_OVER)
    rows = SalesReport(team_ids=[world["a"].team.pk]).repeat_buyers()
    assert [row.orders for row in rows] == [2]
    assert "***@" in rows[0].label  # buyers' addresses are masked


def test_team_member_sees_only_their_team_even_when_asking_for_another(client, sales):
    client.force_login(sales["a"].member)
    for query in ("", "?team=water", "?report=team"):
        response = client.get(reverse("dashboard:desk-reports") + query)
        page = response.content.decode()
        assert response.status_code == 200
        assert sales["b"].product.get_title() not in page
        assert sales["b"].team.name not in page
        assert response.context["total"].amount == D("25.00")


def test_coordinator_compares_teams(client, sales):
    client.force_login(sales["coordinator"])
    response = client.get(reverse("dashboard:desk-reports") + "?report=team")
    page = response.content.decode()
    assert sales["a"].team.name in page and sales["b"].team.name in page
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def _export(client, fmt, **fields):
    """Ask for a file on the reports page; the worker runs when the request commits."""
    return client.post(reverse("dashboard:desk-report-export"), {"format": fmt, **fields})


def test_exports_carry_the_same_total(client, sales, django_capture_on_commit_callbacks):
    client.force_login(sales["a"].member)
    with django_capture_on_commit_callbacks(execute=True):
        assert _export(client, "xlsx", report="village").status_code == 302
        _export(client, "csv", report="village")
    listing = client.get(reverse("dashboard:desk-report-export"))
    xlsx, csv_export = reversed(listing.context["exports"])
    assert [xlsx.status, csv_export.status] == ["done", "done"]
    assert 'http-equiv="refresh"' not in listing.content.decode()

    response = client.get(reverse("dashboard:desk-report-download", args=[xlsx.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    last = list(book.active.iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and D(str(last[2])) == D("25.00")
    response = client.get(reverse("dashboard:desk-report-download", args=[csv_export.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-1][0] == "合计" and rows[-1][2] == "25.00"


def test_an_export_keeps_the_askers_scope_and_is_theirs_alone(
    client, sales, django_capture_on_commit_callbacks
):
    client.force_login(sales["a"].member)
    with django_capture_on_commit_callbacks(execute=True):
        _export(client, "csv", report="team", team=sales["b"].team.code)
    listing = client.get(reverse("dashboard:desk-report-export"))
    assert list(listing.context["exports"]) == []  # another team's scope is refused, nothing queued
    with django_capture_on_commit_callbacks(execute=True):
        _export(client, "csv", report="product")
    export = client.get(reverse("dashboard:desk-report-export")).context["exports"][0]
    url = reverse("dashboard:desk-report-download", args=[export.pk])
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert sales["a"].product.get_title() in text and sales["b"].product.get_title() not in text

    client.force_login(sales["b"].member)
    assert client.get(url).status_code == 404
    assert not list(client.get(reverse("dashboard:desk-report-export")).context["exports"])
    client.force_login(sales["coordinator"])
    assert client.get(url).status_code == 404


def test_a_queued_export_shows_as_pending_until_a_worker_builds_it(client, sales):
    from shop.desk import tasks

    client.force_login(sales["a"].member)
    _export(
        client, "xlsx", report="month"
    )  # no commit callbacks run: a worker has not picked it up
    listing = client.get(reverse("dashboard:desk-report-export"))
    export = listing.context["exports"][0]
    assert export.status == "pending" and 'http-equiv="refresh"' in listing.content.decode()
    assert (
        client.get(reverse("dashboard:desk-report-download", args=[export.pk])).status_code == 404
    )
    tasks.export_report(export.pk)
    export.refresh_from_db()
    assert export.status == "done" and export.file_name.endswith(".xlsx")


def test_a_bad_date_range_says_so_in_chinese(client, sales):
    client.force_login(sales["coordinator"])
    response = client.get(
        reverse("dashboard:desk-reports") + "?date_from=2026-05-01&date_to=2026-04-01"
    )
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()


@pytest.mark.parametrize("report", list(REPORTS))
def test_report_pages_keep_a_query_budget(client, sales, report, django_assert_max_num_queries):
    a, b = sales["a"], sales["b"]
    runs = {a.team: own_run(a.product), b.team: own_run(b.product)}
    for _ in range(10):
        make_split_order([(a.product, 1), (b.product, 2)], runs=runs)
    client.force_login(sales["coordinator"])
    url = reverse("dashboard:desk-reports") + f"?report={report}"
    client.get(url)  # the session's first page reads the user's device and roles once
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
