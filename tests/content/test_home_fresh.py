"""The home page's 本周新鲜 shows what households promised for the team's next open run and
is not sold out, eggs first; the hero counts the alliance from the data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulfilment import supply
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock


def fresh_titles(client):
    html = client.get("/").content.decode()
    section = html.split("本周新鲜", 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="product-card__title">([^<]*)<', section)


@pytest.mark.django_db
def test_fresh_this_week_follows_the_next_runs_promises_eggs_first(
    client, home_page, team, run, later_run
):
    from catalogue.models import Category

    eggs_category = Category.add_root(name="鸡蛋", slug="eggs", is_public=True)
    grain = Category.add_root(name="粮油", slug="grain", is_public=True)
    household = HouseholdFactory(team=team)
    peanuts = product_in_stock(team=team, title="生花生", stock=50)
    peanuts.categories.add(grain)
    eggs = product_in_stock(team=team, title="散养土鸡蛋", stock=30)
    eggs.categories.add(eggs_category)
    watermelon = product_in_stock(team=team, title="北坡西瓜", stock=10)
    supply.set_commitment(run, household, peanuts, 50)
    supply.set_commitment(run, household, eggs, 30)
    # Promised only for the run after next: not this week's.
    supply.set_commitment(later_run, household, watermelon, 10)

    assert fresh_titles(client) == ["散养土鸡蛋", "生花生"]

    supply.set_commitment(run, household, eggs, 0)  # the hens stopped laying
    assert fresh_titles(client) == ["生花生"]


@pytest.mark.django_db
def test_without_any_promise_the_products_in_stock_are_shown(client, home_page, eggs):
    assert fresh_titles(client) == ["散养土鸡蛋"]


@pytest.mark.django_db
def test_hero_counts_teams_villages_and_households_from_the_data(
    client, home_page, team, django_capture_on_commit_callbacks
):
    from catalogue.models import Village
    from shop.partner.models import Partner

    village = VillageFactory(slug="xiangyang", name="向阳村")
    HouseholdFactory(team=team, village=village)

    def figures():
        html = client.get("/").content.decode()
        return re.search(r'data-testid="hero-figures">([^<]*)<', html).group(1)

    teams, villages = Partner.objects.count(), Village.objects.count()
    assert figures() == f"{teams} 支工作队 · {villages} 个村 · 1 户农户"
    with CaptureQueriesContext(connection) as counted:
        figures()
    assert not any("catalogue_household" in q["sql"] for q in counted.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        HouseholdFactory(team=team, village=village)  # a new household joins
    assert figures() == f"{teams} 支工作队 · {villages} 个村 · 2 户农户"
