"""Shared fixtures. Tests are plain functions; data comes from the factories in
tests/<app>/factories.py (tests/README.md says which holds what)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import HealthCheck, settings

from shop.speed import request_cache
from tests.catalogue.factories import product_in_stock
from tests.fulfilment.factories import PickupPointFactory
from tests.partner.factories import TeamFactory, UserFactory

# Property tests share two cores with the rest of the suite: judge them on results, not speed.
settings.register_profile(
    "shop", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("shop")


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    cache.clear()
    request_cache.clear_local()
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def team(db):
    return TeamFactory(code="renmin", name="县人民医院驻向阳村工作队")


@pytest.fixture
def other_team(db):
    return TeamFactory(code="water", name="省水利厅驻柳河村工作队")


@pytest.fixture
def pickup_point(team):
    """A pickup point with an open delivery run stopping there (cut-off tomorrow), so
    checkout offers it."""
    from tests.fulfilment.factories import open_run_at

    point = PickupPointFactory(team=team, name="县人民医院门诊大厅")
    open_run_at(point)
    return point


@pytest.fixture
def run(team, pickup_point):
    """The open run the shared ``pickup_point`` fixture created (cut-off tomorrow)."""
    return pickup_point.runs.get()


@pytest.fixture
def later_run(team, pickup_point):
    """A second open run stopping at the same point, four days later."""
    import datetime

    from django.utils import timezone

    from tests.fulfilment.factories import DeliveryRunFactory

    return DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )


@pytest.fixture
def eggs(team, pickup_point):
    """Free-range eggs, 1.50 yuan each, 100 in stock, sold by the team."""
    return product_in_stock(team=team, title="散养土鸡蛋", stock=100)


# The other team's run and cabbages: a basket of eggs and cabbages is split per team.
@pytest.fixture
def veg_point(other_team):
    """The other team's pickup point, with an open run of its own stopping there."""
    point = PickupPointFactory(team=other_team, name="柳河社区东门")
    from tests.fulfilment.factories import open_run_at

    open_run_at(point)
    return point


@pytest.fixture
def veg_run(veg_point):
    return veg_point.runs.get()


@pytest.fixture
def veg(other_team, veg_point):
    """Cabbages from the other team, ¥4.00 each, 30 in stock."""
    return product_in_stock(team=other_team, title="柳河小白菜", price=Decimal("4.00"), stock=30)


@pytest.fixture
def customer(db):
    return UserFactory(username="buyer", email="buyer@example.cn")


@pytest.fixture
def home_page(db):
    """The Wagtail home page with a story index under it, as the demo has."""
    from wagtail.models import Page, Site

    from content.models import HomePage, StoryIndexPage

    root = Page.get_first_root_node()
    for placeholder in root.get_children().exact_type(Page):
        Site.objects.filter(root_page=placeholder).delete()
        placeholder.delete()
    home = HomePage(title="521助农小店", slug="home", hero_title="吃得放心，帮得实在")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "port": 80}
    )
    index = StoryIndexPage(title="帮扶故事", slug="stories")
    home.add_child(instance=index)
    return home


def _commits(item):
    """Whether ``item`` runs on a committing database (Django flushes it afterwards)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] == (True,))):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A committing test ends with Django flushing the database, migrations' rows and all
    (Wagtail's root page, permissions, countries). Tests that roll back expect those rows,
    and with ``-n 2 --dist loadfile`` one may run next in the same worker: put them back."""
    yield
    if nextitem is None or not _commits(item):
        return  # the last test: the session's teardown has dropped the test database
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
