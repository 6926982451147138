"""The route as a person reads it: kilometres to one decimal, hours and minutes, named and
numbered stops on the picture and in the list beside it, and which stop will be late."""

import datetime
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from fulfilment import itinerary
from fulfilment.routing import HOUSEHOLD, MIN_GAP, PICKUP, Stop, plan_route, route_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_distance_and_time_read_as_kilometres_hours_and_minutes():
    assert itinerary.distance_text(19325) == "19.3 公里"
    assert itinerary.distance_text(0) == "0.0 公里"
    assert itinerary.duration_text(305) == "5 小时 5 分"
    assert itinerary.duration_text(120) == "2 小时"
    assert itinerary.duration_text(45) == "45 分"
    route = {"total_metres": 19325, "total_minutes": 305}
    assert itinerary.route_summary(route) == "19.3 公里，5 小时 5 分"
    with translation.override("en"):
        assert itinerary.route_summary(route) == "19.3 km, 5 h 5 min"


def test_short_names_fit_beside_a_dot():
    assert itinerary.short_name("吴奶奶家") == "吴奶奶家"
    assert itinerary.short_name("县人民医院门诊大厅") == "县人民医院…"


def test_the_picture_names_its_stops_and_keeps_neighbours_apart():
    village = (34.802, 113.521)
    stops = [Stop(f"h{n}", 34.81 + n * 0.00001, 113.52, HOUSEHOLD) for n in range(4)] + [
        Stop("p1", 34.752, 113.625, PICKUP)
    ]
    plan = plan_route(village, stops, time_limit_s=0.2)
    labels = {f"h{n}": f"农户{n}" for n in range(4)} | {"p1": "县医院…"}
    root = ET.fromstring(route_svg(village, plan, labels=labels))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert set(labels.values()) <= set(texts)
    assert {"1", "2", "3", "4", "5"} <= set(texts)
    centres = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    for i, a in enumerate(centres):
        for b in centres[i + 1 :]:
            assert math.dist(a, b) >= MIN_GAP - 0.01  # four households a metre apart


@pytest.mark.django_db
def test_run_page_lists_the_stops_and_says_which_is_late_and_by_how_much(
    client, closed_run, member
):
    stop = closed_run.stops.get()
    stop.window_start, stop.window_end = datetime.time(6, 0), datetime.time(6, 5)
    stop.save()
    itinerary.plan(closed_run, time_limit_s=0.2)
    closed_run.refresh_from_db()
    arrival = {entry["key"]: entry["arrival"] for entry in closed_run.route["stops"]}
    late_by = arrival[f"p{stop.pk}"] - 5
    assert late_by > 0

    client.force_login(member)
    page = client.get(f"/shop/team/runs/{closed_run.pk}/").content.decode()
    summary = itinerary.route_summary(closed_run.route)
    assert re.fullmatch(r"\d+\.\d 公里，(\d+ 小时 )?\d+ 分", summary)
    assert f"全程约 {summary}。" in page
    assert f"县人民医院门诊大厅 会迟到 {itinerary.duration_text(late_by)}" in page
    assert "窗口 06:00–06:05" in page and "吴奶奶家" in page
    assert "收：散养土鸡蛋 30" in page.replace("\n", "")
    assert "交 2 单" in page
    departure = datetime.datetime.combine(closed_run.date, closed_run.departure_time)
    first = departure + datetime.timedelta(minutes=arrival[closed_run.route["stops"][0]["key"]])
    assert f"到达 {first:%H:%M}" in page
    svg_names = re.findall(r'paint-order="stroke">([^<]+)</text>', page)
    assert svg_names == ["吴奶奶家", "县人民医院…"]
