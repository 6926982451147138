"""Households' real names and phone numbers never leave the team: no public page, search result or source shows them."""

import pytest
from django.urls import reverse

from content.models import StoryIndexPage, StoryPage
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock

REAL_NAME = "欧阳秀英"
PHONE = "13912345678"


@pytest.fixture
def world(home_page, team):
    village = VillageFactory(name="向阳村", slug="xiangyang")
    village.teams.add(team)
    shown = HouseholdFactory(
        village=village,
        team=team,
        public_name="王大姐家",
        real_name=REAL_NAME,
        phone=PHONE,
        consent_name=True,
        consent_photo=False,
        produces="土鸡蛋",
    )
    hidden = HouseholdFactory(
        village=village,
        team=team,
        public_name="不愿公开的称呼",
        real_name="司马长顺",
        phone="13800000000",
        consent_name=False,
    )
    product = product_in_stock(team=team, title="散养土鸡蛋", origin_village=village)
    product.households.add(shown, hidden)
    story = StoryPage(
        title="王大姐的鸡蛋",
        slug="wang",
        summary="向阳村的鸡蛋",
        body=[],
        village=village,
        team=team,
    )
    StoryIndexPage.objects.get().add_child(instance=story)
    story.related_products.add(product)
    story.save_revision().publish()
    return {"village": village, "product": product, "story": story, "team": team}


def public_urls(world):
    return [
        "/",
        reverse("catalogue:index"),
        world["product"].get_absolute_url(),
        world["village"].get_absolute_url(),
        reverse("origin:team", kwargs={"slug": world["team"].slug}),
        reverse("site-search") + "?q=王大姐",
        reverse("site-search") + "?q=向阳村",
        world["story"].url,
    ]


@pytest.mark.django_db
def test_no_public_page_shows_a_real_name_or_phone(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in (REAL_NAME, PHONE, "司马长顺", "13800000000", "不愿公开的称呼"):
            assert secret not in html, f"{secret} leaked on {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [REAL_NAME, PHONE, "司马长顺", "不愿公开的称呼"])
def test_searching_for_a_private_field_finds_nothing(client, world, secret):
    from shop.search.results import SiteSearch

    assert SiteSearch().run(secret).count() == 0
    html = client.get(reverse("site-search"), {"q": secret}).content.decode()
    assert "没有找到相关的产品或故事" in html


@pytest.mark.django_db
def test_search_index_holds_no_private_field(world):
    from shop.search.models import SearchDocument

    for doc in SearchDocument.objects.all():
        blob = " ".join([doc.title, doc.text, doc.title_tokens, doc.body_tokens])
        assert REAL_NAME not in blob and PHONE not in blob and "不愿公开的称呼" not in blob
