"""Route planning in ``fulfilment.routing``: order, capacity, windows, drawing, OSRM client."""

import json
import math
import random
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from fulfilment.routing import (
    HOME,
    HOUSEHOLD,
    PICKUP,
    CapacityError,
    HaversineMatrix,
    OsrmError,
    OsrmMatrix,
    Stop,
    default_matrix,
    haversine_metres,
    placement_order_length,
    plan_route,
    route_svg,
)

VILLAGE = (38.05, 114.50)
TOWN = (38.05, 114.84)  # about 30 km east
SVG = "{http://www.w3.org/2000/svg}"


def offset(centre, east_m, north_m):
    lat = centre[0] + north_m / 111_320
    lng = centre[1] + east_m / (111_320 * math.cos(math.radians(centre[0])))
    return lat, lng


def county_stops(count, seed, households=None):
    """Households scattered around the village, pickup points and homes around town."""
    rng = random.Random(seed)
    households = count * 2 // 5 if households is None else households
    stops = []
    for number in range(count):
        if number < households:
            point = offset(VILLAGE, rng.uniform(-20_000, 20_000), rng.uniform(-20_000, 20_000))
            stops.append(Stop(f"h{number}", *point, HOUSEHOLD, load=rng.randint(1, 10)))
        else:
            point = offset(TOWN, rng.uniform(-5_000, 5_000), rng.uniform(-5_000, 5_000))
            kind = rng.choice([PICKUP, HOME])
            stops.append(Stop(f"t{number}", *point, kind, load=-rng.randint(1, 3)))
    rng.shuffle(stops)
    return stops


def households_come_first(plan):
    kinds = [stop.kind == HOUSEHOLD for stop in plan.order]
    return kinds == sorted(kinds, reverse=True)


def test_plan_visits_every_stop_once_with_households_first():
    stops = county_stops(24, seed=1)
    plan = plan_route(VILLAGE, stops, time_limit_s=0.5)
    assert plan.solver == "ortools"
    assert sorted(stop.key for stop in plan.order) == sorted(stop.key for stop in stops)
    assert households_come_first(plan)
    assert len(plan.arrival_minutes) == len(stops)
    assert plan.arrival_minutes == sorted(plan.arrival_minutes)


def test_households_first_even_when_town_is_on_the_way():
    # The far household lies beyond town: the shortest tour would drop in town on the way out.
    stops = [
        Stop("near", *offset(VILLAGE, 1_000, 0), HOUSEHOLD, load=5),
        Stop("beyond_town", *offset(TOWN, 8_000, 0), HOUSEHOLD, load=5),
        Stop("pickup", *TOWN, PICKUP, load=-4),
        Stop("home", *offset(TOWN, -2_000, 0), HOME, load=-6),
    ]
    plan = plan_route(VILLAGE, stops, time_limit_s=0.2)
    assert [stop.key for stop in plan.order] == ["near", "beyond_town", "pickup", "home"]


def test_route_is_open_and_its_length_is_start_to_last_stop():
    stops = [
        Stop("a", *offset(VILLAGE, 2_000, 0), HOUSEHOLD),
        Stop("b", *offset(VILLAGE, 4_000, 0), HOUSEHOLD),
    ]
    plan = plan_route(VILLAGE, stops, time_limit_s=0.2)
    assert [stop.key for stop in plan.order] == ["a", "b"]
    assert plan.total_metres == pytest.approx(4_000 * 1.3, rel=0.01)
    # Each leg is 2 km as the crow flies, 2.6 km by road: 4 minutes at 40 km/h; 5 at each stop.
    assert plan.arrival_minutes == [4, 13]
    assert plan.total_minutes == 18


def test_capacity_is_respected_along_the_route():
    stops = county_stops(20, seed=2)
    plan = plan_route(VILLAGE, stops, capacity_kg=sum(max(s.load, 0) for s in stops))
    load = 0.0
    for stop in plan.order:
        load += stop.load
        assert 0 <= load <= plan_capacity(stops)


def plan_capacity(stops):
    return sum(max(stop.load, 0) for stop in stops)


def test_produce_beyond_capacity_is_refused_with_a_clear_message():
    stops = [
        Stop("a", *offset(VILLAGE, 2_000, 0), HOUSEHOLD, load=300),
        Stop("b", *offset(VILLAGE, 4_000, 0), HOUSEHOLD, load=250),
    ]
    with pytest.raises(CapacityError, match="550 kg but the car takes 400 kg"):
        plan_route(VILLAGE, stops, capacity_kg=400)


def test_feasible_windows_are_met_even_against_distance():
    # "far" is 10 km beyond "near" but closes early; the shortest route would miss it.
    stops = [
        Stop("near", *offset(TOWN, -3_000, 0), PICKUP),
        Stop("far", *offset(TOWN, 7_000, 0), PICKUP, window=(0, 75)),
        Stop("late_opening", *offset(TOWN, -4_000, 0), HOME, window=(120, 180)),
    ]
    plan = plan_route(VILLAGE, stops, time_limit_s=0.3)
    assert plan.late == []
    for stop, arrival in zip(plan.order, plan.arrival_minutes, strict=True):
        if stop.window:
            assert stop.window[0] <= arrival <= stop.window[1]
    assert plan.order[0].key == "far"


def test_impossible_window_is_reported_late_not_raised():
    stops = [
        Stop("h", *offset(VILLAGE, 1_000, 0), HOUSEHOLD, load=3),
        Stop("rushed", *TOWN, PICKUP, window=(0, 10), load=-3),
    ]
    plan = plan_route(VILLAGE, stops, time_limit_s=0.2)
    assert [stop.key for stop in plan.order] == ["h", "rushed"]
    assert plan.late == ["rushed"]


def test_solver_beats_placement_order_on_forty_stops():
    stops = county_stops(40, seed=3)
    placement = placement_order_length(VILLAGE, stops)
    plan = plan_route(VILLAGE, stops, time_limit_s=1.0)
    assert placement.solver == "placement"
    assert plan.total_metres < 0.8 * placement.total_metres
    assert plan.total_minutes < placement.total_minutes


def test_same_input_gives_the_same_route():
    stops = county_stops(15, seed=4)
    first = plan_route(VILLAGE, stops)
    second = plan_route(VILLAGE, stops)
    assert [s.key for s in first.order] == [s.key for s in second.order]


def test_empty_run_and_bad_stops():
    assert plan_route(VILLAGE, []).order == []
    with pytest.raises(ValueError, match="unique"):
        plan_route(VILLAGE, [Stop("x", *VILLAGE, HOUSEHOLD), Stop("x", *TOWN, PICKUP)])
    with pytest.raises(ValueError, match="kind"):
        Stop("x", *VILLAGE, "market")
    with pytest.raises(ValueError, match="only drop"):
        Stop("x", *TOWN, PICKUP, load=3)


def test_svg_is_valid_xml_with_one_circle_per_stop_and_escaped_names():
    stops = county_stops(12, seed=5) + [Stop('Wang <"&"> 王', *TOWN, HOME)]
    plan = plan_route(VILLAGE, stops, time_limit_s=0.2)
    svg = route_svg(VILLAGE, plan)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == len(stops)
    colours = {circle.get("fill") for circle in circles}
    assert colours <= {"#2e7d32", "#1565c0", "#ef6c00"}
    titles = [title.text for title in root.iter(f"{SVG}title")]
    assert any('Wang <"&"> 王' in title for title in titles)
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= 360
        assert 0 <= float(circle.get("cy")) <= 360


def test_svg_of_a_single_stop_on_the_start():
    plan = plan_route(VILLAGE, [Stop("only", *VILLAGE, HOUSEHOLD)])
    root = ET.fromstring(route_svg(VILLAGE, plan, width=200, height=100))
    assert len(root.findall(f".//{SVG}circle")) == 1


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers ``/table/v1/driving/`` like OSRM, from straight-line distances at 36 km/h."""

    requests: list[str] = []
    fail = False

    def do_GET(self):
        url = urlsplit(self.path)
        type(self).requests.append(self.path)
        if self.fail or not url.path.startswith("/table/v1/driving/"):
            self.send_response(500)
            self.end_headers()
            return
        coordinates = unquote(url.path.removeprefix("/table/v1/driving/")).split(";")
        points = [(float(lat), float(lng)) for lng, lat in (c.split(",") for c in coordinates)]
        distances = [[haversine_metres(a, b) for b in points] for a in points]
        distances[0][-1] = None  # one unroutable pair
        body = {
            "code": "Ok",
            "distances": distances,
            "durations": [[None if d is None else d / 10 for d in row] for row in distances],
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm_url():
    FakeOsrm.requests = []
    FakeOsrm.fail = False
    server = HTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_osrm_matrix_reads_the_table_service(osrm_url):
    matrix = OsrmMatrix(osrm_url + "/", timeout=2, fallback=None)
    points = [VILLAGE, offset(VILLAGE, 6_000, 0), TOWN]
    metres = matrix.metres(points)
    minutes = matrix.minutes(points)
    assert len(FakeOsrm.requests) == 1  # one request serves both matrices
    request = FakeOsrm.requests[0]
    assert request.startswith("/table/v1/driving/114.500000,38.050000;")
    assert "annotations=duration,distance" in request
    assert metres[0][1] == pytest.approx(6_000, rel=0.01)
    assert minutes[0][1] == 10  # 6 km at 36 km/h
    assert metres[0][2] == 100_000 and minutes[0][2] == 60  # unroutable pair is avoided


def test_plan_route_uses_osrm_when_configured(osrm_url, monkeypatch):
    monkeypatch.setenv("OSRM_URL", osrm_url)
    assert isinstance(default_matrix(), OsrmMatrix)
    stops = county_stops(6, seed=6)
    plan = plan_route(VILLAGE, stops, time_limit_s=0.2)
    assert len(plan.order) == 6
    assert FakeOsrm.requests
    monkeypatch.delenv("OSRM_URL")
    assert isinstance(default_matrix(), HaversineMatrix)


def test_osrm_failure_falls_back_or_raises(osrm_url):
    FakeOsrm.fail = True
    points = [VILLAGE, TOWN]
    fallback = OsrmMatrix(osrm_url, timeout=2).metres(points)
    assert fallback == HaversineMatrix().metres(points)
    with pytest.raises(OsrmError, match="failed"):
        OsrmMatrix(osrm_url, timeout=2, fallback=None).metres(points)
