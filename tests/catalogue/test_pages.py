"""Public pages about where food comes from: product, team, village, catalogue, and the basket step."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from catalogue.models import Category, Product
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.catalogue.test_query_budgets import make_products


@pytest.fixture
def village(team):
    village = VillageFactory(name="向阳村", slug="xiangyang", description="南山脚下的老村")
    village.teams.add(team)
    return village


@pytest.fixture
def product(team, village):
    product = product_in_stock(
        team=team,
        title="散养土鸡蛋",
        stock=80,
        origin_village=village,
        order_step=10,
        season_note="春秋产蛋多",
        storage_advice="冷藏可放 20 天",
    )
    agreed = HouseholdFactory(village=village, team=team, public_name="王大姐家", consent_name=True)
    anonymous = HouseholdFactory(
        village=village, team=team, public_name="李大叔家", consent_name=False
    )
    product.households.add(agreed, anonymous)
    return product


@pytest.mark.django_db
def test_product_page_shows_origin_unit_step_stock_and_share(client, product, team, village):
    html = client.get(product.get_absolute_url()).content.decode()
    assert "¥1.50 / 枚" in html
    assert "10 枚起，按 10 的倍数购买" in html
    assert "下一趟配送还剩 80 枚" in html
    assert "春秋产蛋多" in html and "冷藏可放 20 天" in html
    assert village.get_absolute_url() in html
    assert reverse("origin:team", kwargs={"slug": team.slug}) in html
    assert "王大姐家" in html
    assert "李大叔家" not in html and "向阳村的一户农户" in html  # no consent, no name
    assert 'step="10"' in html
    assert reverse("origin:product-qr", kwargs={"pk": product.pk}) in html
    assert f"http://testserver{product.get_absolute_url()}" in html


@pytest.mark.django_db
def test_sold_out_product_offers_a_back_in_stock_alert(client, team):
    product = product_in_stock(team=team, title="绿壳乌鸡蛋", stock=0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "到货通知我" in html
    assert reverse("waitlist:join", kwargs={"pk": product.pk}) in html
    assert "加入购物车" not in html
    response = client.post(
        reverse("waitlist:join", kwargs={"pk": product.pk}), {"email": "a@example.cn"}
    )
    assert response.status_code == 302
    assert product.waiting_buyers.filter(email="a@example.cn").exists()


@pytest.mark.django_db
def test_product_photos_have_webp_renditions_in_a_srcset(client, team):
    from django.core.files.base import ContentFile

    from catalogue.models import ProductImage

    product = product_in_stock(team=team, title="土鸡蛋")
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), "#f0d9b5").save(buf, "JPEG")
    image = ProductImage(product=product, display_order=0)
    image.original.save("egg.jpg", ContentFile(buf.getvalue()), save=False)
    image.save()
    html = client.get(product.get_absolute_url()).content.decode()
    assert "srcset=" in html
    assert html.count(".webp ") >= 3 and "300w" in html and "900w" in html


@pytest.mark.django_db
def test_qr_code_is_a_png_of_the_product_address(client, product):
    response = client.get(reverse("origin:product-qr", kwargs={"pk": product.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=86400" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size[0] >= 100


@pytest.mark.django_db
def test_team_page_lists_villages_products_and_contact(client, team, village, product):
    team.institution, team.description, team.contact_name = "县人民医院", "驻村第三年", "李医生"
    team.save()
    html = client.get(reverse("origin:team", kwargs={"slug": team.slug})).content.decode()
    assert team.name in html and "县人民医院" in html and "李医生" in html
    assert "向阳村" in html and "散养土鸡蛋" in html
    assert client.get(reverse("origin:team", kwargs={"slug": "nobody"})).status_code == 404


@pytest.mark.django_db
def test_village_page_lists_products_households_and_stories(
    client, home_page, team, village, product
):
    from content.models import StoryIndexPage, StoryPage

    story = StoryPage(
        title="王大姐的鸡蛋", slug="wang", summary="鸡蛋进城", body=[], village=village
    )
    StoryIndexPage.objects.get().add_child(instance=story)
    story.save_revision().publish()
    html = client.get(village.get_absolute_url()).content.decode()
    assert "南山脚下的老村" in html and "散养土鸡蛋" in html and "王大姐家" in html
    assert "王大姐的鸡蛋" in html
    assert client.get("/shop/villages/nowhere/").status_code == 404


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["popular", "price_asc", "in_stock", "team_page", "village_page"])
def test_listing_pages_cost_the_same_for_10_and_50_products(client, home_page, team, page):
    category = Category.add_root(name="鸡蛋", slug="eggs")
    products = make_products(team, category, 10)
    village = products[0].origin_village
    village.teams.add(team)
    urls = {
        "popular": reverse("catalogue:index") + "?sort=popular",
        "price_asc": reverse("catalogue:index") + "?sort=price_asc&team=" + team.code,
        "in_stock": reverse("catalogue:index") + f"?in_stock=1&village={village.slug}",
        "team_page": reverse("origin:team", kwargs={"slug": team.slug}),
        "village_page": village.get_absolute_url(),
    }
    with_10 = _count(client, urls[page])
    for p in make_products(team, category, 40):
        p.origin_village = village
        p.save()
    assert _count(client, urls[page]) == with_10
    assert with_10 <= 30


@pytest.mark.django_db
def test_popular_sort_puts_most_handed_over_first(client, team):
    # Units written here directly; tests/catalogue/test_sort_figures.py has them follow
    # real hand-overs, cuts and cancellations.
    quiet = product_in_stock(team=team, title="农家黄瓜")
    popular = product_in_stock(team=team, title="散养土鸡蛋")
    Product.objects.filter(pk=popular.pk).update(units_handed_over=40)
    Product.objects.filter(pk=quiet.pk).update(units_handed_over=2)
    html = client.get(reverse("catalogue:index"), {"sort": "popular"}).content.decode()
    assert html.index("散养土鸡蛋") < html.index("农家黄瓜")


@pytest.mark.django_db
def test_basket_refuses_a_quantity_that_is_not_a_multiple_of_the_step(client, product):
    from shop.basket.models import Line

    url = reverse("basket:add", kwargs={"pk": product.pk})
    response = client.post(
        url, {"quantity": 5}, HTTP_REFERER=product.get_absolute_url(), follow=True
    )
    assert "按 10 枚 的倍数购买" in response.content.decode()
    assert not Line.objects.exists()
    client.post(url, {"quantity": 20})
    assert Line.objects.get().quantity == 20
