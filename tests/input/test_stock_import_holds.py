"""The dashboard's stock sheet obeys the phone form's rule: a level never goes below what
buyers already hold, and a reservation taken between the preview and 确认导入 is neither
written over nor sold twice."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from catalogue.spreadsheets import HEADERS
from shop.partner import reservations
from shop.partner.models import StockRecord
from tests.catalogue.factories import product_in_stock
from tests.partner.factories import team_member

IMPORT_URL = reverse("dashboard:catalogue-product-import")


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.fixture
def eggs(team):
    product = product_in_stock(team=team, stock=10, upc="NZ-EGG", title="土鸡蛋")
    record = product.stockrecords.get()
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=6)
    return record


def sheet(stock, price="1.50"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerow(["NZ-EGG", "土鸡蛋", "", "枚", "1", price, str(stock), ""])
    upload = io.BytesIO(buf.getvalue().encode("utf-8"))
    upload.name = "products.csv"
    return upload


def preview(client, member, stock, price="1.50"):
    client.force_login(member)
    return client.post(IMPORT_URL, {"file": sheet(stock, price)}).content.decode()


def confirm(client, team):
    return client.post(IMPORT_URL, {"confirm": "1", "team": team.code}, follow=True)


@pytest.mark.django_db
def test_a_level_below_what_buyers_hold_is_a_row_error_and_changes_nothing(
    client, member, team, eggs
):
    html = preview(client, member, stock=4, price="2.00")
    assert "第 2 行：已有 6 枚被买家订下，库存不能少于 6 枚。" in html
    assert "确认导入" not in html
    assert "请重新上传表格" in confirm(client, team).content.decode()
    eggs.refresh_from_db()
    assert (eggs.num_in_stock, eggs.num_allocated, eggs.price) == (10, 6, D("1.50"))


@pytest.mark.django_db
def test_a_reservation_taken_after_the_preview_is_kept(client, member, team, eggs):
    assert "确认导入" in preview(client, member, stock=20)
    assert reservations.take(eggs.pk, 3)  # a buyer reaches checkout meanwhile
    assert confirm(client, team).status_code == 200
    eggs.refresh_from_db()
    assert (eggs.num_in_stock, eggs.num_allocated) == (20, 9)


@pytest.mark.django_db
def test_a_level_that_no_longer_covers_what_is_held_at_confirm_is_refused_whole(
    client, member, team, eggs
):
    assert "确认导入" in preview(client, member, stock=8, price="2.00")
    assert reservations.take(eggs.pk, 3)  # now 9 held: 8 would sell one egg twice
    page = confirm(client, team).content.decode()
    assert "第 2 行：已有 9 枚被买家订下，库存不能少于 9 枚。" in page
    eggs.refresh_from_db()
    assert (eggs.num_in_stock, eggs.num_allocated, eggs.price) == (10, 9, D("1.50"))
