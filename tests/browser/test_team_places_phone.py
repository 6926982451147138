"""A team member plans a run with a window per pickup point on a 390 px phone screen."""

import pytest
from django.test import Client

from fulfilment.models import DeliveryRun
from tests.browser.conftest import ARTIFACTS
from tests.fulfilment.factories import PickupPointFactory
from tests.partner.factories import team_member


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_sets_two_stop_windows_at_phone_width(live_server, phone_page, team):
    page = phone_page
    hospital = PickupPointFactory(team=team, name="县医院门诊大厅", window="周六 8:30–10:00")
    PickupPointFactory(team=team, name="城东农贸市场", window="周六 10:30–12:00")
    sign_in(page, live_server, team_member(team))

    page.goto(live_server.url + "/shop/team/runs/new/")
    rows = page.get_by_test_id("stop-row")
    assert rows.count() == 2 and fits_the_screen(page)
    page.fill("#id_date", "2030-05-04")
    page.fill("#id_departure_time", "06:00")
    page.fill("#id_cutoff", "2030-05-03T20:00")
    page.fill("#id_capacity_kg", "300")
    page.fill("#id_start_label", "向阳村")
    page.fill("#id_start_latitude", "34.8")
    page.fill("#id_start_longitude", "113.5")
    page.check(f"#id_stop-{hospital.pk}-on")
    page.fill(f"#id_stop-{hospital.pk}-end", "08:00")  # before the start: refused on its row
    page.locator("form.team-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "结束时间要晚于开始时间" in rows.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "run-form-stops-390.png"), full_page=True)
    assert fits_the_screen(page)

    page.fill(f"#id_stop-{hospital.pk}-end", "10:00")
    page.locator("form.team-form button[type=submit]").click()
    page.wait_for_url("**/shop/team/runs/*/")
    assert "县医院门诊大厅 08:30–10:00" in page.content()
    run = DeliveryRun.objects.get()
    assert [stop.point for stop in run.stops.all()] == [hospital]

    page.goto(live_server.url + "/shop/team/zones/new/")
    page.screenshot(path=str(ARTIFACTS / "zone-form-390.png"), full_page=True)
    assert fits_the_screen(page)
