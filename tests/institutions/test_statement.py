"""A month of an institution's member and bulk orders makes a statement (page, PDF, XLSX)
whose totals are the orders' amounts due; the coordinator records the transfer."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfilment import runs, supply
from fulfilment.models import DeliveryRun
from shop.institutions import statements
from shop.order import life, money
from shop.order import status as S
from tests.institutions.conftest import institution_order
from tests.order.factories import make_order


def last_month_at(day):
    first = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime(first.year, first.month, day, 10))


@pytest.fixture
def month_of_orders(run, eggs, households, hospital, agency, staff_member, canteen):
    """Last month: a member's order (12 eggs), the union's bulk order (60), one paid on
    pickup (4), one cancelled (6); the agency's order and an order of the month before
    are not the hospital's statement."""
    supply.set_commitment(run, households["monitored"], eggs, 40)
    supply.set_commitment(run, households["poor"], eggs, 60)
    stop = run.stops.get(point=canteen)
    orders = {
        "member": institution_order(
            run, [(eggs, 12)], hospital, staff_member, stop=stop, placed=last_month_at(3)
        ),
        "bulk": institution_order(
            run, [(eggs, 60)], hospital, staff_member, stop=stop, placed=last_month_at(10)
        ),
        "on_pickup": institution_order(
            run, [(eggs, 4)], hospital, staff_member, transfer=False, placed=last_month_at(12)
        ),
        "cancelled": institution_order(
            run, [(eggs, 6)], hospital, staff_member, placed=last_month_at(15)
        ),
        "agency": institution_order(run, [(eggs, 5)], agency, None, placed=last_month_at(16)),
        "earlier": institution_order(
            run,
            [(eggs, 2)],
            hospital,
            staff_member,
            placed=last_month_at(1) - datetime.timedelta(days=3),
        ),
        "resident": make_order(run, [(eggs, 3)], placed=last_month_at(4)),
    }
    life.cancel(orders["cancelled"], message="不要了")
    runs.change_status(run, DeliveryRun.Status.CLOSED)  # shares the eggs out to households
    for order in orders.values():
        order.refresh_from_db()
    return orders


def _month():
    return timezone.localdate().replace(day=1) - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_statement_lists_the_months_orders_and_its_totals_equal_their_amounts_due(
    month_of_orders, hospital
):
    statement = statements.build(hospital, _month().replace(day=1))
    expected = [month_of_orders[k] for k in ("member", "bulk", "on_pickup", "cancelled")]
    assert [row.order for row in statement.rows] == expected
    dues = [money.of(order).due for order in expected]
    assert dues == [D("18.00"), D("90.00"), D("6.00"), D("0.00")]
    assert statement.total_due == sum(dues) == D("114.00")
    assert statement.to_transfer == D("108.00")  # the order paid on pickup is not transferred
    assert statement.households == 2  # both households supplied the hospital's eggs


@pytest.mark.django_db
def test_statement_xlsx_and_pdf_carry_the_same_orders_and_totals(
    client, month_of_orders, hospital, staff_member
):
    from openpyxl import load_workbook

    client.force_login(staff_member)
    label = f"{_month():%Y-%m}"
    url = reverse("institutions:statement-file", args=[hospital.pk, label, "xlsx"])
    book = load_workbook(io.BytesIO(client.get(url).content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    body = [row for row in rows if row[0] in {o.number for o in month_of_orders.values()}]
    assert {row[0] for row in body} == {
        month_of_orders[k].number for k in ("member", "bulk", "on_pickup", "cancelled")
    }
    assert sum(D(str(row[6])) for row in body) == D("114.00")
    total = rows[-1]
    assert total[0] == "合计" and D(str(total[6])) == D("114.00") and D(str(total[7])) == D("108")
    assert total[5] == 2
    assert any("12410000MB0123456X" in str(row[0]) for row in rows)  # invoice details

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    url = reverse("institutions:statement-file", args=[hospital.pk, label, "pdf"])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "应付合计 ¥114.00" in text and "待转账 ¥108.00" in text
    assert "带动农户 2 户" in text
    assert month_of_orders["bulk"].number in text
    assert month_of_orders["agency"].number not in text
    assert month_of_orders["resident"].number not in text


@pytest.mark.django_db
def test_coordinator_records_the_transfer_and_the_orders_are_paid(
    client, month_of_orders, hospital, coordinator
):
    client.force_login(coordinator)
    label = f"{_month():%Y-%m}"
    url = reverse("institutions:statement-paid", args=[hospital.pk, label])

    refused = client.post(url, {"reference": "  "})
    assert refused.status_code == 400 and "请填写转账流水号。" in refused.content.decode()
    assert not hospital.statement_payments.exists()

    response = client.post(url, {"reference": "CMB20261201-778"}, follow=True)
    assert "已记录到账 ¥108.00（流水号 CMB20261201-778）" in response.content.decode()
    for key in ("member", "bulk"):
        order_money = money.of(month_of_orders[key])
        assert order_money.paid == order_money.due and order_money.settled
        assert month_of_orders[key].payment_events.filter(reference="CMB20261201-778").exists()
    assert money.of(month_of_orders["on_pickup"]).paid == 0  # still paid at the canteen door
    page = client.get(reverse("institutions:statement", args=[hospital.pk, label]))
    assert "已到账 ¥108.00，流水号 CMB20261201-778" in page.content.decode()

    again = client.post(url, {"reference": "CMB-2"}, follow=True)
    assert "这个月的对账单没有待转账的金额。" in again.content.decode()
    assert hospital.statement_payments.count() == 1


@pytest.mark.django_db
def test_a_handed_over_transfer_order_completes_once_its_statement_is_paid(
    month_of_orders, hospital, coordinator
):
    order = month_of_orders["bulk"]
    life.handed_over(order.run_link, user=coordinator)
    order.refresh_from_db()
    assert order.status == S.HANDED_OVER  # the transfer is still to come
    assert money.of(order).cash_to_collect == 0  # the driver collects nothing at the door
    statement = statements.build(hospital, _month().replace(day=1))
    statements.mark_paid(statement, "BOC-1", coordinator)
    order.refresh_from_db()
    assert order.status == S.COMPLETED


@pytest.mark.django_db
def test_a_month_that_is_no_month_is_not_found(client, hospital, staff_member):
    client.force_login(staff_member)
    for month in ("2026-13", "abc", "1999-01"):
        url = reverse("institutions:statement", args=[hospital.pk, month])
        assert client.get(url).status_code == 404
    url = reverse("institutions:statement-file", args=[hospital.pk, "2026-01", "csv"])
    assert client.get(url).status_code == 404
