"""A household reads its own page at 390 px, in Chinese and English; the team member
opens the "发链接" page with its QR code on the same phone width."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from fulfilment import household_page, payouts
from fulfilment.models import Allocation, DeliveryRun, SupplyCommitment
from tests.browser.test_team_places_phone import sign_in
from tests.catalogue.factories import HouseholdFactory
from tests.fulfilment.factories import DeliveryRunFactory
from tests.partner.factories import team_member

SHOTS = "/tmp/h-house"


def no_sideways_scroll(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} scrolls sideways on a phone ({width}px)"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_household_page_and_link_page_at_phone_width(live_server, phone_page, team, run, eggs):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    eggs.title = "散养土鸡蛋（山坡上吃虫子和玉米长大的土鸡下的蛋）"
    eggs.save()
    household = HouseholdFactory(team=team, public_name="吴奶奶家")
    done = DeliveryRunFactory(
        team=team, date=timezone.localdate() - datetime.timedelta(days=3), status="done"
    )
    Allocation.objects.create(
        run=done, household=household, product=eggs, quantity=120, unit_price=D("1.50")
    )
    SupplyCommitment.objects.create(run=run, household=household, product=eggs, quantity=60)
    member = team_member(team)
    payouts.mark_paid(payouts.for_run(done)[0], member)
    assert DeliveryRun.objects.get(pk=done.pk).status == "done"
    page = phone_page
    for language, words in (("zh-hans", "一共挣了"), ("en", "Earned in all")):
        page.goto(f"{live_server.url}{household_page.path_for(household, language)}")
        assert words in page.content()
        assert page.locator("[data-testid=earned]").inner_text() == "¥180.00"
        assert page.locator("[data-testid=promise]").count() == 1
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.hh')).fontSize)")
        assert size >= 18, "the household's page is in large type"
        page.screenshot(path=f"{SHOTS}/household-{language}-390.png", full_page=True)
        no_sideways_scroll(page, f"the household page ({language})")

    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/shop/team/households/{household.pk}/link/")
    assert page.locator("[data-testid=household-qr] svg").is_visible()
    box = page.locator("[data-testid=household-qr] svg").bounding_box()
    assert 150 <= box["width"] <= 390
    page.screenshot(path=f"{SHOTS}/household-link-390.png", full_page=True)
    no_sideways_scroll(page, "the team's link page")
    page.locator("[data-testid=renew-link]").click()
    page.get_by_role("button", name="作废并换新链接").click()
    assert page.locator("[data-testid=form-error]").is_visible()
    no_sideways_scroll(page, "the refused confirmation")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="作废并换新链接").click()
    page.wait_for_url(f"**/shop/team/households/{household.pk}/link/")
    page.screenshot(path=f"{SHOTS}/household-link-renewed-390.png", full_page=True)
    no_sideways_scroll(page, "the new link")
    assert household.page_links.filter(revoked_at__isnull=False).count() == 1
