"""The team's products on a phone (/shop/team/products/), from the outside: the list, the
edit and add forms with good and bad input, stock held by buyers, who may see what, and
the supply page's per-household rows."""

import io
import re
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from PIL import Image

from catalogue.models import Category, Product, ProductImage
from fulfilment import products, supply
from fulfilment.models import SupplyCommitment
from shop.partner import levels, reservations
from shop.partner.models import StockRecord
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.partner.factories import team_member

LIST = "/shop/team/products/"
NEW = "/shop/team/products/new/"


def edit_url(product):
    return f"/shop/team/products/{product.pk}/"


def photo(name="egg.jpg", size=(40, 30), fmt="JPEG"):
    buf = io.BytesIO()
    Image.new("RGB", size, "#e8c07d").save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def text(response):
    return response.content.decode()


def listed(response):
    """The product names the list shows, in order."""
    return re.findall(r'class="product-row__name">([^<]*)<', text(response))


def stock_of(product, team):
    return StockRecord.objects.get(product=product, partner=team)


def edit_data(product, team, **changes):
    record = stock_of(product, team)
    data = {
        "title": product.title,
        "price": str(record.price),
        "stock_mode": "set",
        "stock_amount": str(record.num_in_stock),
        "stock_was": str(record.num_in_stock),
        "description": product.description,
        "is_public": "on" if product.is_public else "",
        "note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(product, team):
    """What a bad post must leave alone."""
    product.refresh_from_db()
    record = stock_of(product, team)
    return (
        product.title,
        product.description,
        product.is_public,
        record.price,
        record.num_in_stock,
        record.num_allocated,
        ProductImage.objects.filter(product=product).count(),
        LogEntry.objects.count(),
    )


@pytest.fixture
def village(team):
    village = VillageFactory(slug="xiangyang", name="向阳村")
    village.teams.add(team)
    return village


@pytest.fixture
def hens(team, village):
    """吴奶奶家 supplies the team's eggs."""
    return HouseholdFactory(team=team, village=village, public_name="吴奶奶家")


@pytest.fixture
def eggs(team, village, hens):
    product = product_in_stock(
        team=team, title="散养土鸡蛋", price=D("1.50"), stock=100, origin_village=village
    )
    product.households.add(hens)
    return product


@pytest.fixture
def their_chicken(other_team):
    return product_in_stock(team=other_team, title="柳河村小笨鸡", stock=12)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


# --- the list --------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_own_products_with_price_stock_unit_and_origin(
    member_client, eggs, their_chicken
):
    geese = product_in_stock(
        team=eggs.stockrecords.get().partner, title="大白鹅", stock=6, unit=Product.Unit.ZHI
    )
    page = text(member_client.get(LIST))
    assert "散养土鸡蛋" in page and "¥1.50 / 枚" in page and "库存 100 枚" in page
    assert "向阳村 · 吴奶奶家" in page
    assert "大白鹅" in page and "库存 6 只" in page
    assert "柳河村小笨鸡" not in page
    assert f'href="{edit_url(geese)}"' in page
    # reached from the team's run list
    assert f'href="{LIST}"' in text(member_client.get("/shop/team/"))


@pytest.mark.django_db
def test_search_finds_by_name_village_or_household(member_client, team, eggs):
    product_in_stock(team=team, title="小笨鸡", unit=Product.Unit.ZHI)
    assert listed(member_client.get(LIST)) == ["小笨鸡", "散养土鸡蛋"]
    assert listed(member_client.get(LIST, {"q": "笨鸡"})) == ["小笨鸡"]
    assert listed(member_client.get(LIST, {"q": "吴奶奶"})) == ["散养土鸡蛋"]
    assert listed(member_client.get(LIST, {"q": "向阳"})) == ["散养土鸡蛋"]
    nothing = member_client.get(LIST, {"q": "西瓜"})
    assert listed(nothing) == [] and "没有找到" in text(nothing)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_products(member_client, team, village):
    def add(n):
        for i in range(n):
            product = product_in_stock(team=team, title=f"土鸡蛋{i}")
            product.households.add(HouseholdFactory(team=team, village=village))
            image = ProductImage(product=product, display_order=0)
            image.original.save(f"egg{i}.jpg", photo(), save=False)
            image.save()

    def count():
        member_client.get(LIST)  # first view makes the thumbnails
        with CaptureQueriesContext(connection) as ctx:
            response = member_client.get(LIST)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3)
    with_3 = count()
    add(27)
    assert count() == with_3
    assert with_3 <= 20


# --- editing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_changes_price_stock_words_sale_and_photo(member_client, member, team, eggs):
    page = text(member_client.get(edit_url(eggs)))
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert 'enctype="multipart/form-data"' in page
    response = member_client.post(
        edit_url(eggs),
        edit_data(
            eggs,
            team,
            title="散养土鸡蛋（大）",
            price="1.80",
            stock_amount="120",
            description="山坡上散养，蛋黄颜色深。\n\n<b>十枚起卖</b>",
            is_public="",
            note="新收 20 枚，涨价",
            photo=photo(),
        ),
    )
    assert response.status_code == 302 and response["Location"].startswith(LIST)
    eggs.refresh_from_db()
    record = stock_of(eggs, team)
    assert eggs.title == "散养土鸡蛋（大）" and not eggs.is_public
    # shown as typed on the product page: paragraphs kept, markup escaped
    assert (
        eggs.description == "<p>山坡上散养，蛋黄颜色深。</p>\n\n<p>&lt;b&gt;十枚起卖&lt;/b&gt;</p>"
    )
    assert record.price == D("1.80") and record.num_in_stock == 120
    assert eggs.primary_image().original.name.endswith(".jpg")
    entries = {e.field: e for e in products.recent_changes(record)}
    assert entries["price"].old == "1.50" and entries["price"].new == "1.80"
    assert entries["num_in_stock"].new == "120" and entries["num_in_stock"].user == member
    assert entries["price"].note == "新收 20 枚，涨价"
    listing = text(member_client.get(LIST))
    assert "已保存“散养土鸡蛋（大）”" in listing and "¥1.80 / 枚" in listing
    assert "未上架" in listing
    assert "新收 20 枚，涨价" in text(member_client.get(edit_url(eggs)))


@pytest.mark.django_db
def test_a_description_left_alone_keeps_the_dashboards_markup(member_client, team, eggs):
    eggs.description = "<p>散养满一年，<strong>蛋黄红</strong>。</p><ul><li>十枚起卖</li></ul>"
    eggs.save()
    page = text(member_client.get(edit_url(eggs)))
    assert "散养满一年，蛋黄红。\n\n十枚起卖</textarea>" in page
    data = edit_data(eggs, team, price="1.60", description="散养满一年，蛋黄红。\n\n十枚起卖")
    member_client.post(edit_url(eggs), data)
    eggs.refresh_from_db()
    assert eggs.description.startswith("<p>散养满一年，<strong>蛋黄红</strong>")
    assert stock_of(eggs, team).price == D("1.60")


@pytest.mark.django_db
def test_add_and_subtract_keep_what_buyers_hold(member_client, team, eggs):
    record = stock_of(eggs, team)
    assert reservations.take(record.pk, 30)  # a buyer's basket is being paid for
    member_client.post(edit_url(eggs), edit_data(eggs, team, stock_mode="add", stock_amount="5"))
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (105, 30)

    before = snapshot(eggs, team)
    response = member_client.post(
        edit_url(eggs), edit_data(eggs, team, stock_mode="subtract", stock_amount="80")
    )
    assert response.status_code == 200
    assert "已有 30 枚被买家订下，库存不能少于 30 枚" in text(response)
    assert snapshot(eggs, team) == before

    member_client.post(
        edit_url(eggs), edit_data(eggs, team, stock_mode="subtract", stock_amount="75")
    )
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (30, 30)
    # nothing is left to sell: the next basket cannot take even one egg
    assert not reservations.take(record.pk, 1)


@pytest.mark.django_db
def test_a_reservation_made_while_the_page_was_open_is_not_written_over(team, eggs):
    shown = stock_of(eggs, team)  # the member opened the edit page
    assert reservations.take(shown.pk, 10)  # a buyer reserves meanwhile
    products.update(
        shown,
        product_fields={"title": eggs.title},
        price=D("2.00"),
        stock=(levels.ADD, 10),
    )
    record = stock_of(eggs, team)
    assert (record.price, record.num_in_stock, record.num_allocated) == (D("2.00"), 110, 10)


@pytest.mark.django_db
def test_saving_a_new_price_leaves_stock_that_moved_meanwhile(member_client, team, eggs):
    data = edit_data(eggs, team, price="1.60")  # the page showed 100
    StockRecord.objects.filter(product=eggs).update(num_in_stock=90)  # 10 sent out meanwhile
    member_client.post(edit_url(eggs), data)
    record = stock_of(eggs, team)
    assert (record.price, record.num_in_stock) == (D("1.60"), 90)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"stock_amount": "-5"}, "库存数量不能是负数"),
        ({"stock_amount": "三十"}, "库存要填整数"),
        ({"stock_mode": "add", "stock_amount": "1000000"}, "库存数量太大了"),
        ({"stock_mode": "subtract", "stock_amount": ""}, "请填库存数量"),
        ({"price": "一块五"}, "单价要填数字"),
        ({"price": "0"}, "单价要大于 0"),
        ({"price": "1.555"}, "单价最多两位小数"),
        ({"price": ""}, "请填单价"),
        ({"title": ""}, "请填产品名称"),
        ({"stock_mode": "steal"}, "选择一个有效的选项"),
        ({"photo": SimpleUploadedFile("egg.jpg", b"not a photo at all")}, "这张照片打不开"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(member_client, team, eggs, changes, message):
    before = snapshot(eggs, team)
    data = edit_data(eggs, team, price="9.99", stock_amount="7", description="改了", **{})
    data.update(changes)
    response = member_client.post(edit_url(eggs), data)
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot(eggs, team) == before


@pytest.mark.django_db
@override_settings(IMAGE_MAX_PIXELS=1000)
def test_a_photo_with_too_many_pixels_is_refused(member_client, team, eggs):
    before = snapshot(eggs, team)
    response = member_client.post(
        edit_url(eggs), edit_data(eggs, team, price="9.99", photo=photo(size=(50, 40)))
    )
    assert "照片像素太多了" in text(response)
    assert snapshot(eggs, team) == before


@pytest.mark.django_db
def test_a_huge_photo_file_is_refused(member_client, team, eggs, monkeypatch):
    from fulfilment import product_forms

    monkeypatch.setattr(product_forms, "MAX_PHOTO_BYTES", 100)
    before = snapshot(eggs, team)
    response = member_client.post(edit_url(eggs), edit_data(eggs, team, photo=photo()))
    assert "照片文件太大了" in text(response)
    assert snapshot(eggs, team) == before


@pytest.mark.django_db
def test_english_page_and_messages(member_client, team, eggs):
    page = text(member_client.get("/en" + edit_url(eggs)))
    assert "Take a photo" in page and "On sale" in page
    response = member_client.post("/en" + edit_url(eggs), edit_data(eggs, team, price="abc"))
    assert "Enter the price as a number" in text(response)
    listing = text(member_client.get("/en" + LIST))
    assert "Products and stock" in listing and "In stock 100 " in listing


@pytest.mark.django_db
def test_stock_that_follows_commitments_is_not_typed_in(member_client, team, eggs, hens, run):
    supply.set_commitment(run, hens, eggs, 40)
    record = stock_of(eggs, team)
    page = text(member_client.get(edit_url(eggs)))
    assert "跟着农户的供货承诺走" in page and f"/shop/team/runs/{run.pk}/supply/" in page
    assert 'name="stock_amount"' not in page
    member_client.post(edit_url(eggs), {**edit_data(eggs, team, price="1.70"), "stock_amount": 5})
    after = stock_of(eggs, team)
    assert after.price == D("1.70") and after.num_in_stock == record.num_in_stock == 40
    assert "随供货承诺" in text(member_client.get(LIST))


# --- adding ----------------------------------------------------------------------------


@pytest.fixture
def category(db):
    return Category.add_root(name="禽蛋", slug="eggs-poultry")


def new_data(chosen, **changes):
    data = {
        "title": "土鸭蛋",
        "unit": "mei",
        "price": "2.20",
        "stock_amount": "60",
        "category": str(chosen.pk),
        "description": "河边放养的麻鸭下的蛋。",
        "is_public": "on",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_member_adds_a_product_for_their_team(member_client, team, village, hens, category):
    response = member_client.post(
        NEW,
        new_data(
            category, origin_village=str(village.pk), households=[str(hens.pk)], photo=photo()
        ),
    )
    assert response.status_code == 302
    product = Product.objects.get(title="土鸭蛋")
    record = stock_of(product, team)
    assert (record.price, record.num_in_stock) == (D("2.20"), 60)
    assert product.unit == "mei" and product.is_public and product.origin_village == village
    assert list(product.categories.all()) == [category]
    assert list(product.households.all()) == [hens]
    assert product.images.count() == 1
    assert "土鸭蛋" in text(member_client.get(LIST))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "请填产品名称"),
        ({"category": ""}, "请选一个分类"),
        ({"price": "abc"}, "单价要填数字"),
        ({"stock_amount": "-1"}, "库存数量不能是负数"),
        ({"stock_amount": ""}, "请填库存数量"),
        ({"unit": "ton"}, "选择一个有效的选项"),
    ],
)
def test_bad_new_product_creates_nothing(member_client, category, changes, message):
    counts = (Product.objects.count(), StockRecord.objects.count())
    response = member_client.post(NEW, new_data(category, **changes))
    assert response.status_code == 200 and message in text(response)
    assert (Product.objects.count(), StockRecord.objects.count()) == counts


@pytest.mark.django_db
def test_new_product_cannot_use_another_teams_household(member_client, other_team, category):
    theirs = HouseholdFactory(team=other_team, public_name="别队农户")
    response = member_client.post(NEW, new_data(category, households=[str(theirs.pk)]))
    assert response.status_code == 200 and not Product.objects.filter(title="土鸭蛋").exists()
    assert "别队农户" not in text(member_client.get(NEW))


# --- who may ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_teams_member_gets_404_and_changes_nothing(
    client, team, eggs, other_team, their_chicken
):
    client.force_login(team_member(other_team))
    before = snapshot(eggs, team)
    assert client.get(edit_url(eggs)).status_code == 404
    assert client.get(edit_url(eggs) + f"?team={team.pk}").status_code == 404
    assert client.post(edit_url(eggs), edit_data(eggs, team, price="0.10")).status_code == 404
    assert snapshot(eggs, team) == before
    assert "散养土鸡蛋" not in text(client.get(LIST))
    assert "散养土鸡蛋" not in text(client.get(LIST + f"?team={team.pk}"))


@pytest.mark.django_db
def test_visitors_sign_in_and_buyers_are_turned_away(client, eggs, customer):
    for url in (LIST, NEW, edit_url(eggs)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client.post(url, {"price": "0.01"}).status_code == 302
    client.force_login(customer)
    for url in (LIST, NEW, edit_url(eggs)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"price": "0.01"}).status_code == 403
    assert stock_of(eggs, eggs.stockrecords.get().partner).price == D("1.50")


@pytest.mark.django_db
def test_coordinator_sees_and_edits_every_team(coordinator, team, eggs, other_team, their_chicken):
    client = Client()
    client.force_login(coordinator)
    page = text(client.get(LIST))
    assert "散养土鸡蛋" in page and "柳河村小笨鸡" in page
    only_theirs = text(client.get(LIST, {"team": other_team.pk}))
    assert "柳河村小笨鸡" in only_theirs and "散养土鸡蛋" not in only_theirs
    client.post(edit_url(their_chicken), edit_data(their_chicken, other_team, price="45.00"))
    assert stock_of(their_chicken, other_team).price == D("45.00")


# --- supply commitments on the phone -----------------------------------------------------


@pytest.mark.django_db
def test_supply_page_lists_each_households_products_to_edit(member_client, run, eggs, hens):
    supply_url = f"/shop/team/runs/{run.pk}/supply/"
    page = text(member_client.get(supply_url))
    assert "吴奶奶家" in page and f'id="q-{hens.pk}-{eggs.pk}"' in page
    response = member_client.post(
        supply_url, {"row": "1", "household": hens.pk, "product": eggs.pk, "quantity": "45"}
    )
    assert response.status_code == 302
    assert SupplyCommitment.objects.get(run=run, household=hens, product=eggs).quantity == 45
    assert "已记下：吴奶奶家 散养土鸡蛋 45 枚" in text(member_client.get(supply_url))

    for bad in ("-3", "abc", ""):
        response = member_client.post(
            supply_url, {"row": "1", "household": hens.pk, "product": eggs.pk, "quantity": bad}
        )
        assert response.status_code == 200
        assert SupplyCommitment.objects.get(run=run, household=hens, product=eggs).quantity == 45


@pytest.mark.django_db
def test_supply_row_for_another_teams_household_is_404(member_client, run, eggs, other_team):
    theirs = HouseholdFactory(team=other_team)
    response = member_client.post(
        f"/shop/team/runs/{run.pk}/supply/",
        {"row": "1", "household": theirs.pk, "product": eggs.pk, "quantity": "5"},
    )
    assert response.status_code == 404
    assert not SupplyCommitment.objects.exists()
