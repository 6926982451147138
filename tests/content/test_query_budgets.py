"""Home, story index and story pages cost the same queries for few or many stories/products."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.content.conftest import make_story


def queries_for(client, url):
    client.get(url)  # warm per-process caches (site, chrome, impact report)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_stories(index, team, village, n, start):
    for i in range(start, start + n):
        product = product_in_stock(team=team, title=f"土鸡蛋{i}", origin_village=village)
        household = HouseholdFactory(team=team, village=village)
        story = make_story(
            index,
            slug=f"s{i}",
            title=f"故事{i}",
            team=team,
            village=village,
            body=[
                ("product", {"product": product, "note": ""}),
                ("household", {"household": household, "text": ""}),
            ],
        )
        story.tags.add(f"标签{i}")
        story.related_products.add(product)
        story.save_revision().publish()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/stories/", "/stories/?year=2026"])
def test_listing_pages_do_not_grow_with_stories(client, story_index, team, village, url):
    add_stories(story_index, team, village, 2, 0)
    few = queries_for(client, url)
    add_stories(story_index, team, village, 8, 2)
    many = queries_for(client, url)
    assert many == few
    assert few <= 30


@pytest.mark.django_db
def test_story_page_does_not_grow_with_product_and_household_blocks(
    client, story_index, team, village
):
    def story_with(n, slug):
        products = [
            product_in_stock(team=team, title=f"鸡蛋{slug}{i}", origin_village=village)
            for i in range(n)
        ]
        households = [HouseholdFactory(team=team, village=village) for _ in range(n)]
        body = [("product", {"product": p, "note": ""}) for p in products]
        body += [("household", {"household": h, "text": ""}) for h in households]
        body += [("product_list", {"heading": "", "products": products})]
        body += [("team", {"team": team})] * n
        body += [
            (
                "live_figure",
                {"metric": "income", "team": team, "village": None, "year": None, "label": ""},
            )
        ]
        story = make_story(story_index, slug=slug, body=body)
        story.related_products.set(products)
        story.save_revision().publish()
        return story

    one = queries_for(client, story_with(1, "one").url)
    ten = queries_for(client, story_with(10, "ten").url)
    assert ten == one
    assert one <= 35
