"""The run form: each pickup point gets its own time window."""

import datetime

import pytest
from django.utils import timezone

from fulfilment.forms import window_times
from fulfilment.models import DeliveryRun, RunPickup
from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory
from tests.order.factories import make_order

RUN = {
    "date": "2030-05-04",
    "departure_time": "06:00",
    "cutoff": "2030-05-03T20:00",
    "capacity_kg": "300",
    "capacity_crates": "0",
    "start_label": "向阳村",
    "start_latitude": "34.8",
    "start_longitude": "113.5",
}


def stop(point, start="", end="", on=True):
    data = {f"stop-{point.pk}-start": start, f"stop-{point.pk}-end": end}
    if on:
        data[f"stop-{point.pk}-on"] = "on"
    return data


def windows(run):
    return {
        s.point.name: (f"{s.window_start:%H:%M}", f"{s.window_end:%H:%M}")
        for s in run.stops.select_related("point")
    }


@pytest.fixture
def points(team):
    make = PickupPointFactory
    return {
        "hospital": make(team=team, name="医院大厅", window="周六 8:30–10:00"),
        "market": make(team=team, name="农贸市场", window="随到随取"),
        "school": make(team=team, name="实验小学", window="周六 15:00–16:00"),
    }


@pytest.mark.django_db
def test_each_stop_gets_its_own_window(client, member, team, points):
    client.force_login(member)
    form = client.get("/shop/team/runs/new/").context["form"]
    rows = {row["point"].name: row for row in form.stop_rows}
    # prefilled from each point's default window text, or 9:00–11:00
    assert rows["医院大厅"]["start"].value() == datetime.time(8, 30)
    assert rows["农贸市场"]["end"].value() == datetime.time(11, 0)

    data = {
        **RUN,
        "team": team.pk,
        **stop(points["hospital"], "08:30", "10:00"),
        **stop(points["market"], "10:30", "12:00"),
        **stop(points["school"], "15:00", "16:00", on=False),
    }
    assert client.post("/shop/team/runs/new/", data).status_code == 302
    run = DeliveryRun.objects.get(date="2030-05-04")
    assert windows(run) == {"医院大厅": ("08:30", "10:00"), "农贸市场": ("10:30", "12:00")}

    page = client.get(f"/shop/team/runs/{run.pk}/").content.decode()
    assert "医院大厅 08:30–10:00" in page and "农贸市场 10:30–12:00" in page


@pytest.mark.django_db
def test_edit_is_prefilled_from_the_stops_and_changes_one_window(client, member, team, points):
    run = DeliveryRunFactory(
        team=team,
        date=datetime.date(2030, 5, 4),
        cutoff=timezone.make_aware(datetime.datetime(2030, 5, 3, 20)),
    )
    RunPickup.objects.create(
        run=run, point=points["hospital"], window_start="07:45", window_end="09:15"
    )
    RunPickup.objects.create(
        run=run, point=points["school"], window_start="14:00", window_end="15:30"
    )
    client.force_login(member)
    page = client.get(f"/shop/team/runs/{run.pk}/edit/").content.decode()
    assert 'value="07:45"' in page and 'value="09:15"' in page and 'value="14:00"' in page
    form = client.get(f"/shop/team/runs/{run.pk}/edit/").context["form"]
    on = {row["point"].name: row["on"].value() for row in form.stop_rows}
    assert on == {"医院大厅": True, "农贸市场": False, "实验小学": True}

    data = {
        **RUN,
        "team": team.pk,
        **stop(points["hospital"], "07:45", "09:15"),
        **stop(points["school"], "16:00", "17:00"),
    }
    assert client.post(f"/shop/team/runs/{run.pk}/edit/", data).status_code == 302
    assert windows(run) == {"医院大厅": ("07:45", "09:15"), "实验小学": ("16:00", "17:00")}

    data = {**RUN, "team": team.pk, **stop(points["school"], "16:00", "17:00")}
    client.post(f"/shop/team/runs/{run.pk}/edit/", data)
    assert windows(run) == {"实验小学": ("16:00", "17:00")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, end, message",
    [
        ("11:00", "10:00", "结束时间要晚于开始时间"),
        ("10:00", "10:00", "结束时间要晚于开始时间"),
        ("10:00", "", "请填写取货开始和结束时间"),
        ("10:00", "25:00", "输入一个有效的时间"),
    ],
)
def test_bad_window_is_refused_on_its_row_and_nothing_is_saved(
    client, member, team, points, start, end, message
):
    client.force_login(member)
    data = {
        **RUN,
        "team": team.pk,
        **stop(points["hospital"], "08:30", "10:00"),
        **stop(points["market"], start, end),
    }
    response = client.post("/shop/team/runs/new/", data)
    assert response.status_code == 200
    rows = {row["point"].name: row for row in response.context["form"].stop_rows}
    assert any(message in error for error in rows["农贸市场"]["errors"]), rows["农贸市场"]["errors"]
    assert not rows["医院大厅"]["errors"]
    assert message in response.content.decode()
    assert not DeliveryRun.objects.filter(date="2030-05-04").exists()
    assert not RunPickup.objects.filter(point__in=points.values()).exists()


@pytest.mark.django_db
def test_stop_with_orders_cannot_be_removed(client, member, team, run, eggs, pickup_point):
    make_order(run, [(eggs, 2)])
    client.force_login(member)
    data = {
        **RUN,
        "team": team.pk,
        "date": f"{run.date:%Y-%m-%d}",
        "cutoff": f"{timezone.localtime(run.cutoff):%Y-%m-%dT%H:%M}",
        **stop(pickup_point, "09:00", "11:00", on=False),
    }
    response = client.post(f"/shop/team/runs/{run.pk}/edit/", data)
    assert response.status_code == 200
    assert "已有 1 个订单，不能去掉" in response.content.decode()
    assert run.stops.filter(point=pickup_point).exists()

    # its window can still move
    data.update(stop(pickup_point, "09:30", "11:30"))
    assert client.post(f"/shop/team/runs/{run.pk}/edit/", data).status_code == 302
    assert windows(run) == {pickup_point.name: ("09:30", "11:30")}


@pytest.mark.django_db
def test_zone_with_orders_stays_on_the_run(client, member, team, run, eggs, pickup_point, zone):
    run.zones.add(zone)
    make_order(run, [(eggs, 30)], zone=zone, line1="城关镇建设路 12 号")
    client.force_login(member)
    data = {
        **RUN,
        "team": team.pk,
        "date": f"{run.date:%Y-%m-%d}",
        "cutoff": f"{timezone.localtime(run.cutoff):%Y-%m-%dT%H:%M}",
        **stop(pickup_point, "09:00", "11:00"),
    }
    response = client.post(f"/shop/team/runs/{run.pk}/edit/", data)
    assert response.status_code == 200 and "已有订单，不能去掉" in response.content.decode()
    assert list(run.zones.all()) == [zone]


@pytest.mark.django_db
def test_coordinator_sees_every_teams_points_but_may_not_mix_them(
    client, coordinator, team, other_team, points
):
    foreign = PickupPointFactory(team=other_team, name="别队自提点")
    client.force_login(coordinator)
    form = client.get("/shop/team/runs/new/").context["form"]
    assert foreign in form.stop_points and points["hospital"] in form.stop_points
    data = {
        **RUN,
        "team": team.pk,
        **stop(points["hospital"], "08:30", "10:00"),
        **stop(foreign, "09:00", "10:00"),
    }
    response = client.post("/shop/team/runs/new/", data)
    assert response.status_code == 200 and "不是本工作队的自提点" in response.content.decode()
    assert not DeliveryRun.objects.filter(date="2030-05-04").exists()


def test_window_text_is_read_for_the_default():
    assert window_times("周六 8:30–11:00") == (datetime.time(8, 30), datetime.time(11, 0))
    assert window_times("每周三 14：00 至 16：30") == (datetime.time(14), datetime.time(16, 30))
    assert window_times("随到随取") == (datetime.time(9), datetime.time(11))
    assert window_times("11:00-9:00") == (datetime.time(9), datetime.time(11))
