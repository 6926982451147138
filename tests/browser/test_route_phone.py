"""The run's route on a 390 px phone: the picture and the list of stops fit the screen, and a
place's pin is set from where the phone is ("用当前位置")."""

import pytest
from playwright.sync_api import expect

from fulfilment import itinerary
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_team_places_phone import fits_the_screen, sign_in
from tests.partner.factories import team_member


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_route_list_fits_and_the_pin_comes_from_the_phone(live_server, phone_page, road_run, team):
    itinerary.plan(road_run, time_limit_s=0.2)
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 34.812345, "longitude": 113.523456, "accuracy": 8})
    sign_in(page, live_server, team_member(team))

    page.goto(f"{live_server.url}/shop/team/runs/{road_run.pk}/")
    stops = page.get_by_test_id("route-stops").locator("li")
    assert stops.count() == 2
    assert "吴奶奶家" in stops.nth(0).inner_text() and "到达" in stops.nth(0).inner_text()
    assert "窗口 09:00–11:00" in stops.nth(1).inner_text()
    assert "公里，" in page.get_by_test_id("route-summary").inner_text()
    page.screenshot(path=str(ARTIFACTS / "route-390.png"), full_page=True)
    assert fits_the_screen(page)

    page.goto(f"{live_server.url}/shop/team/points/new/")
    page.get_by_test_id("use-location").click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    assert page.input_value("#id_latitude") == "34.812345"
    assert page.input_value("#id_longitude") == "113.523456"
    assert "误差约 8 米" in page.locator(".here-note").inner_text()
    assert fits_the_screen(page)
