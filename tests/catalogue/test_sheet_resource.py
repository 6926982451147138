"""The products sheet on django-import-export (issue 20): the resource holds the columns,
the preview is the library's dry run and writes nothing, row errors keep the team's row
numbers in Chinese and English, another team's code is refused over HTTP, and the
download never carries a live formula."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from catalogue.models import Product
from catalogue.spreadsheets import HEADERS, ProductSheetImporter, ProductSheetResource
from shop.partner.models import StockRecord
from tests.catalogue.factories import product_in_stock
from tests.partner.factories import team_member

IMPORT_URL = reverse("dashboard:catalogue-product-import")
EXPORT_URL = reverse("dashboard:catalogue-product-export")
FORMULA = '=HYPERLINK("http://evil.example/steal","点我领红包")'


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.fixture
def eggs(team):
    return product_in_stock(team=team, title="土鸡蛋", upc="NZ-EGG", stock=10)


def csv_bytes(rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def upload(rows):
    file = io.BytesIO(csv_bytes(rows))
    file.name = "products.csv"
    return file


@pytest.mark.django_db
def test_the_resource_exports_the_teams_rows_under_the_chinese_headers(team, other_team, eggs):
    product_in_stock(team=other_team, title="柳河小白菜", upc="NZ-CABBAGE")
    dataset = ProductSheetResource(team).export()
    assert dataset.headers == HEADERS
    village = eggs.origin_village.name
    assert [list(row) for row in dataset] == [
        ["NZ-EGG", "土鸡蛋", "", "枚", 1, "1.50", 10, village]
    ]


@pytest.mark.django_db
def test_the_preview_writes_nothing_at_all(team, eggs):
    importer = ProductSheetImporter(team)
    importer.parse(
        "p.csv",
        csv_bytes(
            [
                ["NZ-EGG", "土鸡蛋", "", "枚", "1", "1.80", "12", ""],
                ["NZ-DUCK", "鸭蛋", "", "枚", "1", "2.00", "5", ""],
            ]
        ),
    )
    with CaptureQueriesContext(connection) as queries:
        assert importer.validate()
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []
    assert [row.status for row in importer.rows] == ["changed", "new"]
    assert not Product.objects.filter(upc="NZ-DUCK").exists()
    record = eggs.stockrecords.get()
    assert (record.price, record.num_in_stock) == (D("1.50"), 10)


@pytest.mark.django_db
def test_row_numbers_are_the_ones_the_team_sees_past_blank_lines(team, eggs):
    rows = [
        ["NZ-EGG", "土鸡蛋", "", "枚", "1", "1.50", "10", ""],
        ["", "", "", "", "", "", "", ""],  # row 3: blank, skipped
        ["NZ-EGG", "土鸡蛋", "", "枚", "1", "1.50", "x", ""],
    ]
    importer = ProductSheetImporter(team)
    importer.parse("p.csv", csv_bytes(rows))
    assert not importer.validate()
    assert importer.errors == [
        "第 4 行：商品编号 NZ-EGG 和第 2 行重复",
        "第 4 行：库存不是数字",
    ]


@pytest.mark.django_db
def test_a_row_error_reads_in_chinese_and_under_en_in_english(client, member, eggs):
    client.force_login(member)
    bad = [["NZ-EGG", "土鸡蛋", "", "枚", "1", "一块五", "10", ""]]
    chinese = client.post(IMPORT_URL, {"file": upload(bad)}).content.decode()
    assert "第 2 行：单价不是数字" in chinese
    with translation.override("en"):
        english_url = reverse("dashboard:catalogue-product-import")
    assert english_url.startswith("/en/")
    english = client.post(english_url, {"file": upload(bad)}).content.decode()
    assert "Row 2: Unit price is not a number" in english and "单价不是数字" not in english
    assert eggs.stockrecords.get().price == D("1.50")


@pytest.mark.django_db
def test_another_teams_code_is_refused_over_http_and_never_overwritten(
    client, member, team, other_team
):
    cabbage = product_in_stock(
        team=other_team, title="柳河小白菜", upc="NZ0008", price=D("3.00"), stock=7
    )
    client.force_login(member)
    hostile = [["NZ0008", "便宜白菜", "", "斤", "1", "0.01", "0", ""]]
    html = client.post(IMPORT_URL, {"file": upload(hostile)}).content.decode()
    assert "第 2 行：商品编号 NZ0008 属于别的工作队，不能修改" in html
    assert "确认导入" not in html
    confirm = client.post(IMPORT_URL, {"confirm": "1", "team": team.code}, follow=True)
    assert "请重新上传表格" in confirm.content.decode()
    cabbage.refresh_from_db()
    record = StockRecord.objects.get(product=cabbage)
    assert (cabbage.title, record.partner, record.price, record.num_in_stock) == (
        "柳河小白菜",
        other_team,
        D("3.00"),
        7,
    )
    assert not StockRecord.objects.filter(partner=team).exists()


@pytest.mark.django_db
def test_the_download_holds_no_live_formula_and_reads_back_as_typed(client, member, team):
    product_in_stock(team=team, title=FORMULA, upc="NZ-EVIL", stock=3)
    client.force_login(member)
    text = client.get(EXPORT_URL, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'" + FORMULA
    content = client.get(EXPORT_URL).content
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert cells[1].value == "'" + FORMULA and cells[6].value == 3
    importer = ProductSheetImporter(team)
    importer.parse("products.xlsx", content)
    assert importer.validate() and importer.diff()["unchanged"] == 1
    assert importer.rows[0].clean["title"] == FORMULA
