"""Fault 12: the stock import reads no further than its row cap, and a control character
in a cell is a row error in the preview, so confirming never fails."""

import csv
import io
import zipfile
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet import _read_only

from catalogue.models import Product
from catalogue.spreadsheets import HEADERS, MAX_ROWS, ProductSheetImporter, SheetError
from shop.partner.models import StockRecord
from tests.partner.factories import team_member

IMPORT_URL = reverse("dashboard:catalogue-product-import")
ROWS = 1_000_000


def huge_xlsx(declare_dimension):
    """A real XLSX (made by openpyxl) whose sheet is swapped for a header row and a million
    empty rows: about 100 KB zipped, the shape of the 144 KB file from the attack."""
    book = Workbook()
    book.active.append(HEADERS)
    plain = io.BytesIO()
    book.save(plain)
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{label}</t></is></c>'
        for i, label in enumerate(HEADERS)
    )
    dimension = f'<dimension ref="A1:H{ROWS + 1}"/>' if declare_dimension else ""
    body = "<row/>" * ROWS
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{dimension}<sheetData><row r="1">{header}</row>{body}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                zf.writestr(item.filename, sheet)
            else:
                zf.writestr(item, source.read(item.filename))
    return out.getvalue()


@pytest.fixture
def rows_parsed(monkeypatch):
    """Counts the sheet rows openpyxl parses while the import reads a file."""
    seen = []

    class CountingParser(_read_only.WorkSheetParser):
        def parse(self):
            for item in super().parse():
                seen.append(item[0])
                yield item

    monkeypatch.setattr(_read_only, "WorkSheetParser", CountingParser)
    return seen


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.mark.django_db
@pytest.mark.parametrize("declare_dimension", [True, False])
def test_a_million_row_sheet_is_refused_after_reading_no_more_than_the_cap(
    client, member, team, rows_parsed, declare_dimension
):
    content = huge_xlsx(declare_dimension)
    assert len(content) < 200_000
    with pytest.raises(SheetError, match=f"一次最多导入 {MAX_ROWS} 行"):
        ProductSheetImporter(team).parse("big.xlsx", content)
    assert len(rows_parsed) <= MAX_ROWS + 3  # the header, the cap, one more, and the last look

    client.force_login(member)
    upload = io.BytesIO(content)
    upload.name = "big.xlsx"
    response = client.post(IMPORT_URL, {"file": upload})
    assert (
        response.status_code == 200 and f"一次最多导入 {MAX_ROWS} 行" in response.content.decode()
    )
    assert "确认导入" not in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_a_zip_that_unpacks_to_a_huge_sheet_is_refused(team):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(SheetError, match="解压后太大"):
        ProductSheetImporter(team).parse("bomb.xlsx", out.getvalue())


def csv_upload(rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    upload = io.BytesIO(buf.getvalue().encode("utf-8"))
    upload.name = "products.csv"
    return upload


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["散养\x00土鸡蛋", "散养\x07土鸡蛋", "散养\x1b土鸡蛋"])
def test_a_control_character_in_a_title_is_a_row_error_and_confirm_is_never_500(
    client, member, team, bad
):
    client.force_login(member)
    upload = csv_upload([["NZ0100", bad, "", "枚", "1", "1.50", "10", ""]])
    preview = client.post(IMPORT_URL, {"file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "第 2 行：“名称”里有看不见的控制字符" in html and "确认导入" not in html
    confirm = client.post(IMPORT_URL, {"confirm": "1", "team": team.code}, follow=True)
    assert confirm.status_code == 200 and "请重新上传表格" in confirm.content.decode()
    assert not Product.objects.exists() and not StockRecord.objects.exists()


@pytest.mark.django_db
def test_a_csv_longer_than_the_cap_is_refused(team):
    rows = [[f"NZ{n}", "鸡蛋", "", "枚", "1", "1.50", "1", ""] for n in range(MAX_ROWS + 5)]
    with pytest.raises(SheetError, match=f"一次最多导入 {MAX_ROWS} 行"):
        ProductSheetImporter(team).parse("p.csv", csv_upload(rows).getvalue())


@pytest.mark.django_db
def test_a_sheet_at_the_cap_still_imports(team):
    rows = [[f"NZ{n}", "鸡蛋", "", "枚", "1", "1.50", "1", ""] for n in range(MAX_ROWS)]
    importer = ProductSheetImporter(team)
    importer.parse("p.csv", csv_upload(rows).getvalue())
    assert len(importer.rows) == MAX_ROWS and importer.validate()
    assert importer.rows[0].clean["price"] == D("1.50")
