"""Fault 11: a buyer's name, a product title or a point name that starts like a formula
reaches every XLSX and CSV download as plain text, never as a live formula."""

import csv
import io
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.spreadsheets import ProductSheetExporter, ProductSheetImporter
from content import impact
from fulfilment import runs
from fulfilment.models import DeliveryRun
from shop.desk import exports as report_exports
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.dashboard.factories import coordinator
from tests.order.factories import make_order
from tests.partner.factories import UserFactory, team_member

NAME = '=HYPERLINK("http://evil.example/steal","点我领红包")'
TITLE = "+1+cmd|' /C calc'!A0"
POINT = "@SUM(1+1)*cmd|' /C calc'!A0"
HOUSEHOLD = "-2+3+cmd|' /C calc'!A0"
DANGEROUS = (NAME, TITLE, POINT, HOUSEHOLD)


def xlsx_cells(content):
    book = load_workbook(io.BytesIO(content))
    return [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]


def assert_no_formula(cells, expected_texts):
    """No cell is a formula, and each dangerous text is there, quoted."""
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [str(c.value) for c in cells]
    for text in texts:
        assert (
            not text.startswith(("=", "+", "@", "-")) or text.lstrip("-").replace(".", "").isdigit()
        ), text
    for expected in expected_texts:
        assert any(t.startswith("'") and expected in t for t in texts), expected


def assert_csv_has_no_formula(rows, expected_texts):
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    for expected in expected_texts:
        assert any(c.startswith("'") and expected in c for c in cells), expected


@pytest.fixture
def hostile_run(run, pickup_point, team):
    """A closed run: a point, a product, a household and a buyer all named like formulas."""
    from fulfilment import supply

    pickup_point.name = POINT
    pickup_point.save()
    product = product_in_stock(team=team, title=TITLE, stock=100)
    village = VillageFactory(slug="xiangyang", name="向阳村")
    household = HouseholdFactory(
        team=team, village=village, public_name=HOUSEHOLD, latitude=D("34.8"), longitude=D("113.5")
    )
    supply.set_commitment(run, household, product, 30)
    make_order(run, [(product, 5)], email="evil@example.cn", name=NAME)
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    return run


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "texts"),
    [
        ("packing", (NAME, TITLE, POINT)),
        ("sheet", (NAME, POINT, HOUSEHOLD)),  # titles sit inside "收：…"
        ("collection", (TITLE, HOUSEHOLD)),
    ],
)
def test_run_lists_as_xlsx_hold_no_formula(client, hostile_run, team, kind, texts):
    client.force_login(team_member(team))
    response = client.get(f"/shop/team/runs/{hostile_run.pk}/lists/{kind}/?format=xlsx")
    assert response.status_code == 200
    assert_no_formula(xlsx_cells(response.content), texts)


@pytest.mark.django_db
def test_dashboard_order_csv_holds_no_formula(client, team):
    product = product_in_stock(team=team, title=TITLE)
    order = make_order(None, [(product, 2)], email="evil@example.cn")
    order.shipping_address.first_name = NAME
    order.shipping_address.save()
    for user in (coordinator(), team_member(team)):
        client.force_login(user)
        response = client.get(reverse("dashboard:order-list") + "?response_format=csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert_csv_has_no_formula(rows, [NAME])
        assert rows[1][1] == "3.00"  # the order's value is still a plain number


@pytest.mark.django_db
def test_product_sheet_export_holds_no_formula_and_reads_back_unchanged(team):
    product = product_in_stock(team=team, title=TITLE, upc="=NZ1")
    exporter = ProductSheetExporter(team)
    cells = xlsx_cells(exporter.xlsx_bytes())
    assert_no_formula(cells, [TITLE, "=NZ1"])
    assert any(c.value == 100 and c.data_type == "n" for c in cells)  # stock stays a number
    rows = list(csv.reader(io.StringIO(exporter.csv_bytes().decode("utf-8-sig"))))
    assert_csv_has_no_formula(rows, [TITLE, "=NZ1"])

    importer = ProductSheetImporter(team)  # the quote is the export's, not the title's
    importer.parse("products.xlsx", exporter.xlsx_bytes())
    assert importer.rows[0].raw["title"] == TITLE and importer.rows[0].raw["upc"] == "=NZ1"
    assert product.title == TITLE


def test_report_files_hold_no_formula():
    rows = [
        SimpleNamespace(label=HOUSEHOLD, quantity=3, amount=D("-6.00"), orders=1),
        SimpleNamespace(label=TITLE, quantity=2, amount=D("4.00"), orders=1),
    ]
    total = SimpleNamespace(label="合计", quantity=5, amount=D("-2.00"), orders=2)
    cells = xlsx_cells(report_exports.xlsx_bytes("按农户", rows, total))
    assert_no_formula(cells, [HOUSEHOLD, TITLE])
    assert [c.value for c in cells if c.data_type == "n"][:2] == [3, -6]  # amounts stay numbers
    text = report_exports.csv_bytes("按农户", rows, total).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert_csv_has_no_formula(parsed, [HOUSEHOLD, TITLE])
    assert parsed[2][2] == "-6.00"  # a negative amount is still a number


def test_impact_csv_holds_no_formula():
    def row(name):
        return SimpleNamespace(
            key="k", name=name, households=1, income=D("1"), orders=1, kilograms=D("1"), paid=None
        )

    data = SimpleNamespace(
        has_payouts=False,
        totals=row("合计"),
        teams=[row(NAME)],
        villages=[row(HOUSEHOLD)],
        months=[],
    )
    out = io.StringIO()
    impact.write_csv(data, out)
    assert_csv_has_no_formula(list(csv.reader(io.StringIO(out.getvalue()))), [NAME, HOUSEHOLD])


@pytest.mark.django_db
def test_oscar_order_report_csv_holds_no_formula(client, team):
    buyer = UserFactory(username="evil", first_name=NAME)
    product = product_in_stock(team=team, title=TITLE)
    make_order(None, [(product, 2)], user=buyer)
    client.force_login(coordinator())
    response = client.get(
        reverse("dashboard:reports-index"), {"report_type": "order_report", "download": "true"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert_csv_has_no_formula(rows, [NAME])
