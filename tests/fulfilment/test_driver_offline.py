"""The driver's taps sent late from a phone's queue: JSON answers, each tap counted once, a
tap another member already made reported by name; the pieces that make the page work with
no signal (service worker, manifest)."""

import json
import uuid

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image

from fulfilment.models import Allocation, DriverTap, OrderRun
from tests.partner.factories import team_member


def send(client, run, key, action, stop, order=None, json_answer=True):
    data = {"key": str(key), "action": action, "stop": stop}
    if order is not None:
        data["order"] = order.pk
    headers = {"Accept": "application/json"} if json_answer else {}
    return client.post(f"/shop/team/runs/{run.pk}/driver/tap/", data, headers=headers)


@pytest.mark.django_db
def test_a_queued_tap_is_recorded_once_however_often_it_is_sent(
    client, closed_run, member, households
):
    client.force_login(member)
    key, stop = uuid.uuid4(), f"h{households['monitored'].pk}"
    first = send(client, closed_run, key, "collected", stop)
    assert first.status_code == 200
    assert first.json()["ok"] is True and first.json()["duplicate"] is False
    again = send(client, closed_run, key, "collected", stop)  # the answer was lost on the way
    assert again.status_code == 200 and again.json() == {"ok": True, "duplicate": True}
    assert DriverTap.objects.count() == 1
    assert Allocation.objects.get(run=closed_run, household=households["monitored"]).collected_at


@pytest.mark.django_db
def test_a_hand_over_another_member_made_is_reported_by_name_not_doubled(
    client, closed_run, member, team, households
):
    link = OrderRun.objects.filter(run=closed_run).order_by("order__number").first()
    stop = f"p{link.pickup_id}"
    zhang = team_member(team, username="zhang")
    zhang.first_name = "张三"
    zhang.save()
    client.force_login(zhang)
    # the car leaves once its one household is collected (issue 19)
    send(client, closed_run, uuid.uuid4(), "collected", f"h{households['monitored'].pk}")
    assert send(client, closed_run, uuid.uuid4(), "handed_over", stop, link.order).json()["ok"]

    client.force_login(member)  # the other phone, its tap queued before it knew
    answer = send(client, closed_run, uuid.uuid4(), "handed_over", stop, link.order)
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True and body["already"] is True and body["by"] == "张三"
    assert body["message"] == "已由 张三 登记"
    assert DriverTap.objects.filter(action="handed_over").count() == 1
    assert list(
        DriverTap.objects.filter(action="handed_over").values_list("by__username", flat=True)
    ) == ["zhang"]

    # The same from the form without JavaScript: said on the page, nothing recorded.
    page = client.post(
        f"/shop/team/runs/{closed_run.pk}/driver/tap/",
        {"key": str(uuid.uuid4()), "action": "handed_over", "stop": stop, "order": link.order.pk},
        follow=True,
    ).content.decode()
    assert "已由 张三 登记" in page
    assert DriverTap.objects.filter(action="handed_over").count() == 1


@pytest.mark.django_db
def test_bad_queued_taps_get_a_json_error_and_change_nothing(client, closed_run, member, run):
    client.force_login(member)
    answer = send(client, closed_run, "not-a-key", "collected", "h1")
    assert answer.status_code == 400 and answer.json()["ok"] is False
    assert "刷新" in answer.json()["error"]
    answer = send(client, closed_run, uuid.uuid4(), "explode", "h1")
    assert answer.status_code == 400 and answer.json()["error"] == "未知操作。"
    answer = client.post(
        f"/shop/team/runs/{closed_run.pk}/driver/tap/",
        {"key": str(uuid.uuid4()), "action": "handed_over", "stop": "p1", "order": "x"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "这个订单不在本批次。"
    answer = send(client, closed_run, uuid.uuid4(), "collected", "p1")  # not a household
    assert answer.status_code == 409 and answer.json()["ok"] is False
    assert not DriverTap.objects.exists()


@pytest.mark.django_db
def test_driver_page_is_an_installable_app_with_a_service_worker_over_the_team_pages(
    client, closed_run, member
):
    client.force_login(member)
    page = client.get(f"/shop/team/runs/{closed_run.pk}/driver/").content.decode()
    manifest_url = f"/shop/team/runs/{closed_run.pk}/driver/manifest.webmanifest"
    assert f'rel="manifest" href="{manifest_url}"' in page
    assert 'data-sw="/shop/team/sw.js"' in page and "/static/js/driver.js" in page

    client.logout()  # browsers fetch both without cookies
    manifest = client.get(manifest_url)
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == f"/shop/team/runs/{closed_run.pk}/driver/"
    assert data["scope"] == "/shop/team/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        size = int(icon["sizes"].split("x")[0])
        with Image.open(finders.find(icon["src"].removeprefix(settings.STATIC_URL))) as image:
            assert image.size == (size, size) and image.format == "PNG"

    worker = client.get("/shop/team/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/shop/team/"
    script = worker.content.decode()
    assert '"teamPrefix": "/shop/team/"' in script and "/static/js/driver.js" in script
    assert closed_run.team.name not in script
    english = client.get("/en/shop/team/sw.js")
    assert english["Service-Worker-Allowed"] == "/en/shop/team/"
