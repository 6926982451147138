"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def phone_page(live_server):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # live server makes happen in its own thread, but fixtures touching the DB
    # after this point run here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        # Nothing may load from the internet: fail any request that leaves the live server.
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else route.abort()
            ),
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def road_run(run, eggs, team, pickup_point):
    """A closed run: one household (吴奶奶家) to collect from, two orders (张三, 李四) to hand
    over at the pickup point."""
    from decimal import Decimal as D

    from fulfilment import runs, supply
    from fulfilment.models import DeliveryRun
    from tests.catalogue.factories import HouseholdFactory, VillageFactory
    from tests.order.factories import make_order

    pickup_point.latitude, pickup_point.longitude = D("34.752"), D("113.625")
    pickup_point.save()
    village = VillageFactory(slug="xiangyang", name="向阳村")
    household = HouseholdFactory(
        team=team,
        village=village,
        public_name="吴奶奶家",
        latitude=D("34.81"),
        longitude=D("113.52"),
    )
    supply.set_commitment(run, household, eggs, 30)
    make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    make_order(run, [(eggs, 10)], email="b@example.cn", name="李四")
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    return run
