"""A team's products and stock as a spreadsheet: export, preview, row errors in Chinese, all-or-nothing import."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from catalogue.models import Category, Product
from catalogue.spreadsheets import HEADERS, ProductSheetImporter, SheetError
from shop.partner.models import StockRecord
from tests.catalogue.factories import VillageFactory, product_in_stock
from tests.partner.factories import team_member

IMPORT_URL = reverse("dashboard:catalogue-product-import")
EXPORT_URL = reverse("dashboard:catalogue-product-export")


@pytest.fixture
def village(team):
    village = VillageFactory(name="向阳村", slug="xiangyang")
    village.teams.add(team)
    return village


@pytest.fixture
def category(db):
    return Category.add_root(name="鸡蛋", slug="eggs")


@pytest.fixture
def own(team, village, category):
    product = product_in_stock(
        team=team,
        title="散养土鸡蛋",
        upc="NZ0001",
        origin_village=village,
        order_step=10,
        stock=600,
    )
    product.categories.add(category)
    return product


@pytest.fixture
def foreign(other_team):
    return product_in_stock(team=other_team, title="柳河小白菜", upc="NZ0008", price=D("3.00"))


@pytest.fixture
def member(team):
    return team_member(team)


def csv_file(rows, header=HEADERS, name="products.csv"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    upload = io.BytesIO(buf.getvalue().encode("utf-8"))
    upload.name = name
    return upload


def xlsx_file(rows):
    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "products.xlsx"
    return upload


def importer_for(team, upload):
    importer = ProductSheetImporter(team)
    importer.parse(upload.name, upload.getvalue())
    importer.validate()
    importer.diff()
    return importer


@pytest.mark.django_db
def test_row_errors_name_the_row_in_chinese_and_nothing_is_written(team, own, village, category):
    upload = csv_file(
        [
            ["NZ0001", "散养土鸡蛋", "鸡蛋", "枚", "10", "1.80", "500", "向阳村"],  # valid change
            ["", "新鸭蛋", "鸡蛋", "枚", "10", "1.80", "5", "向阳村"],  # valid new
            ["", "坏价格", "鸡蛋", "枚", "10", "一块五", "5", "向阳村"],
            ["", "坏单位", "鸡蛋", "吨", "1", "2", "5", "向阳村"],
            ["", "坏库存", "鸡蛋", "枚", "1", "2", "-3", "向阳村"],
            ["", "", "鸡蛋", "枚", "1", "2", "5", "无名村"],
        ]
    )
    importer = importer_for(team, upload)
    assert importer.errors == [
        "第 4 行：单价不是数字",
        "第 5 行：单位“吨”不认识，可以填：斤、枚、个、只、箱、份、公斤",
        "第 6 行：库存不能小于 0",
        "第 7 行：名称不能为空",
        "第 7 行：产地村“无名村”不存在，请先在后台添加这个村",
    ]
    with pytest.raises(SheetError):
        importer.apply()
    assert not Product.objects.filter(title="新鸭蛋").exists()
    assert StockRecord.objects.get(product=own).price == D("1.50")


@pytest.mark.django_db
def test_diff_tells_new_changed_and_unchanged_then_apply_writes_them(team, own, village, category):
    product_in_stock(
        team=team,
        title="笨鸡蛋礼盒",
        upc="NZ0002",
        price=D("48.00"),
        stock=40,
        unit=Product.Unit.XIANG,
        origin_village=village,
    )
    upload = xlsx_file(
        [
            ["NZ0001", "散养土鸡蛋", "鸡蛋", "枚", 10, 1.8, 500, "向阳村"],
            ["NZ0002", "笨鸡蛋礼盒", "", "箱", 1, "48.00", 40, "向阳村"],
            ["NZ0099", "新鸭蛋", "鸡蛋", "枚", 10, "2", 30, "向阳村"],
        ]
    )
    importer = importer_for(team, upload)
    assert [row.status for row in importer.rows] == ["changed", "unchanged", "new"]
    assert importer.rows[0].changes == {"price": (D("1.50"), D("1.80")), "stock": (600, 500)}
    assert importer.apply() == {"new": 1, "changed": 1, "unchanged": 1, "error": 0}
    record = StockRecord.objects.get(product=own)
    assert (record.price, record.num_in_stock) == (D("1.80"), 500)
    duck = Product.objects.get(upc="NZ0099")
    assert duck.stockrecords.get().partner == team and duck.categories.get() == category


@pytest.mark.django_db
def test_a_team_cannot_overwrite_another_teams_product(team, foreign):
    importer = importer_for(
        team, csv_file([["NZ0008", "柳河小白菜", "", "斤", "1", "0.01", "0", ""]])
    )
    assert importer.errors == ["第 2 行：商品编号 NZ0008 属于别的工作队，不能修改"]
    assert StockRecord.objects.get(product=foreign).price == D("3.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", b"hello", "只支持 .xlsx 或 .csv 文件"),
        ("x.xlsx", b"not a zip", "打不开这个 Excel 文件"),
        ("x.csv", "名称,单价\n鸡蛋,1\n".encode(), "第 1 行缺少这些列"),
        ("x.csv", b"", "文件是空的"),
    ],
)
def test_unreadable_files_get_a_clear_message(team, name, content, message):
    with pytest.raises(SheetError, match=message):
        ProductSheetImporter(team).parse(name, content)


@pytest.mark.django_db
def test_gbk_csv_from_excel_is_read(team, own, village, category):
    text = ",".join(HEADERS) + "\nNZ0001,散养土鸡蛋,鸡蛋,枚,10,1.50,600,向阳村\n"
    importer = ProductSheetImporter(team)
    importer.parse("x.csv", text.encode("gb18030"))
    assert importer.validate() and importer.diff()["unchanged"] == 1


@pytest.mark.django_db
def test_member_previews_then_confirms_an_import_over_http(
    client, member, team, own, village, category
):
    client.force_login(member)
    upload = csv_file([["NZ0001", "散养土鸡蛋", "鸡蛋", "枚", "10", "1.70", "450", "向阳村"]])
    preview = client.post(IMPORT_URL, {"file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200 and "确认导入" in html and "1.50 → 1.70" in html
    assert StockRecord.objects.get(product=own).price == D("1.50")  # preview writes nothing
    done = client.post(IMPORT_URL, {"confirm": "1", "team": team.code}, follow=True)
    assert "导入完成" in done.content.decode()
    assert StockRecord.objects.get(product=own).price == D("1.70")


@pytest.mark.django_db
def test_invalid_upload_shows_row_errors_and_no_confirm_button(
    client, member, own, village, category
):
    client.force_login(member)
    upload = csv_file([["NZ0001", "散养土鸡蛋", "鸡蛋", "枚", "10", "abc", "450", "向阳村"]])
    html = client.post(IMPORT_URL, {"file": upload}).content.decode()
    assert "第 2 行：单价不是数字" in html and "确认导入" not in html
    client.post(IMPORT_URL, {"confirm": "1"})
    assert StockRecord.objects.get(product=own).price == D("1.50")


@pytest.mark.django_db
def test_export_holds_only_the_members_own_team(client, member, own, foreign, other_team):
    client.force_login(member)
    response = client.get(EXPORT_URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1:] == [["NZ0001", "散养土鸡蛋", "鸡蛋", "枚", "10", "1.50", "600", "向阳村"]]
    sheet = load_workbook(io.BytesIO(client.get(EXPORT_URL).content)).active
    assert [c.value for c in sheet[2]][:2] == ["NZ0001", "散养土鸡蛋"]
    assert client.get(EXPORT_URL, {"team": other_team.code}).status_code == 404
    assert client.get(IMPORT_URL, {"team": other_team.code}).status_code == 404


@pytest.mark.django_db
def test_customers_cannot_reach_import_or_export(client, customer, own):
    client.force_login(customer)
    assert client.get(EXPORT_URL).status_code in (302, 403)
    assert client.get(IMPORT_URL).status_code in (302, 403)
