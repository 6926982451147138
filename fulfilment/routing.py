"""Route planning for one delivery run of a work team's car.

A run starts at the team's village, collects produce from households, then drives to town and
drops the orders at pickup points and buyers' homes. ``plan_route`` orders those stops with
OR-Tools' routing solver; ``route_svg`` draws the result for the driver's phone without any map
tiles, so it works on a muddy road with no signal.

Distances come from a ``DistanceMatrix``. The default, ``HaversineMatrix``, estimates road
distance and time from coordinates alone (great-circle distance times a detour factor, at a
steady speed), which needs no network. Setting the environment variable ``OSRM_URL`` (for
example ``http://osrm.internal:5000``) switches ``default_matrix`` to ``OsrmMatrix``, which asks
that OSRM server's ``/table/v1/driving/`` endpoint for real road durations and distances, and
falls back to the estimate if the server cannot be reached. Nothing here talks to the internet
unless an operator configured it.

The model, and why
------------------
* **Households first.** The car must hold all the produce before it can be dropped, so every
  household comes before every town stop. This is one model, not two phases: a counter
  dimension counts the households visited so far, and each town stop requires that count to be
  complete. Solving households and town separately would fix the last household before knowing
  where town begins; the joint model picks the last household that leaves the shortest drive
  into town. A dimension rather than removing town-to-household arcs from the solver's domains,
  because PATH_CHEAPEST_ARC extends the path greedily and, with only the arcs removed, walks
  into town early and dead-ends; the dimension's bounds are checked while it extends the path,
  so the first route is always households first.
* **Open route.** The run ends at its last stop (the team does not need a route home), modelled
  as a dummy end node reachable at zero cost from every stop.
* **Cost is metres driven**, since fuel and wear on the team leader's car are what the route
  saves. Time is a separate dimension for the windows.
* **Windows.** Arriving early means waiting until the window opens (a hard lower bound);
  arriving late is allowed at a steep price per minute (a soft upper bound), so an impossible
  window never makes the run unplannable: the plan lists the stops that will be late instead.
* **Capacity.** Because all collection precedes all drop-off, the load peaks after the last
  household whatever the order, so capacity is a check on totals rather than a routing
  decision: ``plan_route`` raises ``CapacityError`` when the produce cannot fit in one run.
* **Search.** PATH_CHEAPEST_ARC builds a first route and GUIDED_LOCAL_SEARCH improves it.
  GLS never decides it is done, so two limits stop it: ``SOLUTIONS_PER_STOP`` solutions per
  stop, which on the county benchmark (``bench/routing_bench.py``) is where the route stops
  getting shorter for up to ~60 stops, and the time limit as a cap, which binds from ~50 stops
  (80 stops: 1 s, within 2 % of a 30 s search). A search stopped by the solution count is
  deterministic, since the solver is single-threaded; one stopped by the clock can differ
  slightly between runs on a busy machine, which is the most OR-Tools allows.
"""

from __future__ import annotations

import json
import logging
import math
import os
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shop.core import charts

logger = logging.getLogger(__name__)

Point = tuple[float, float]  # (lat, lng) in degrees

HOUSEHOLD = "household"
PICKUP = "pickup"
HOME = "home"
KINDS = (HOUSEHOLD, PICKUP, HOME)
TOWN_KINDS = (PICKUP, HOME)

LATE_PENALTY_PER_MINUTE = 100_000
"""Cost of one minute late, in metres: a late pickup point is worth a 100 km detour."""

SOLUTIONS_PER_STOP = 10
"""Default search budget; see "Search" above."""

HORIZON_MINUTES = 3 * 24 * 60
"""Upper bound on any arrival time; far beyond a day's run, so it never binds."""


class CapacityError(ValueError):
    """The produce to collect does not fit in the car for one run."""


class OsrmError(RuntimeError):
    """The OSRM server could not answer a table request."""


@dataclass(frozen=True)
class Stop:
    """One place the car visits.

    ``window`` is (earliest, latest) arrival in minutes after departure. ``load`` is kg taken on
    (positive, at households) or dropped off (negative, at pickup points and homes).
    """

    key: str
    lat: float
    lng: float
    kind: str
    window: tuple[int, int] | None = None
    service_minutes: int = 5
    load: float = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"stop {self.key!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == HOUSEHOLD and self.load < 0:
            raise ValueError(f"stop {self.key!r}: a household can only add load")
        if self.kind in TOWN_KINDS and self.load > 0:
            raise ValueError(f"stop {self.key!r}: a {self.kind} stop can only drop load")
        if self.window is not None and not 0 <= self.window[0] <= self.window[1]:
            raise ValueError(
                f"stop {self.key!r}: window {self.window} is not 0 <= earliest <= latest"
            )
        if self.service_minutes < 0:
            raise ValueError(f"stop {self.key!r}: service minutes must not be negative")

    @property
    def point(self) -> Point:
        return (self.lat, self.lng)

    @property
    def in_town(self) -> bool:
        return self.kind in TOWN_KINDS


@dataclass
class RoutePlan:
    """The stops in driving order with when the car gets to each.

    ``arrival_minutes[i]`` is when service at ``order[i]`` begins (after any wait for its window
    to open), in minutes after departure. ``total_minutes`` is when the last stop is done;
    ``total_metres`` is the distance driven from the start to the last stop. ``late`` lists the
    keys of stops reached after their window closed. ``solver`` says how the order was found.
    """

    order: list[Stop]
    arrival_minutes: list[int]
    total_minutes: int
    total_metres: int
    late: list[str] = field(default_factory=list)
    solver: str = "ortools"


class DistanceMatrix(Protocol):
    """Travel between points, as square matrices indexed like ``points``."""

    def minutes(self, points: Sequence[Point]) -> list[list[int]]: ...

    def metres(self, points: Sequence[Point]) -> list[list[int]]: ...


def haversine_metres(a: Point, b: Point) -> float:
    """Great-circle distance in metres."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class HaversineMatrix:
    """Road distance estimated as great-circle distance times ``detour_factor``, driven at
    ``speed_kmh``. A village road winds, so 1.3 is a fair default; it needs no network."""

    speed_kmh: float = 40
    detour_factor: float = 1.3

    def metres(self, points: Sequence[Point]) -> list[list[int]]:
        return [
            [round(haversine_metres(a, b) * self.detour_factor) for b in points] for a in points
        ]

    def minutes(self, points: Sequence[Point]) -> list[list[int]]:
        metres_per_minute = self.speed_kmh * 1000 / 60
        return [[round(m / metres_per_minute) for m in row] for row in self.metres(points)]


class OsrmMatrix:
    """Road durations and distances from an OSRM server's table service.

    Both matrices come from one request (``annotations=duration,distance``), remembered for the
    last set of points since ``plan_route`` asks for minutes and metres of the same points.
    Pairs OSRM cannot route (``null``) get an hour and 100 km so the solver avoids them. If the
    server fails and ``fallback`` is set, the fallback answers and a warning is logged; with
    ``fallback=None`` an ``OsrmError`` is raised.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 5.0,
        fallback: DistanceMatrix | None = HaversineMatrix(),  # noqa: B008 (immutable)
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback
        self._cache: tuple[tuple[Point, ...], list[list[int]], list[list[int]]] | None = None

    def _table(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        key = tuple(points)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        coordinates = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
        url = f"{self.base_url}/table/v1/driving/{coordinates}?annotations=duration,distance"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = json.load(response)
            if body.get("code") != "Ok":
                raise OsrmError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
            durations, distances = body["durations"], body["distances"]
            size = len(points)
            if len(durations) != size or len(distances) != size:
                raise OsrmError(f"OSRM returned a table of the wrong size for {size} points")
            minutes = [[60 if s is None else round(s / 60) for s in row] for row in durations]
            metres = [[100_000 if d is None else round(d) for d in row] for row in distances]
        except (OSError, ValueError, KeyError, TypeError, OsrmError) as error:
            if self.fallback is None:
                if isinstance(error, OsrmError):
                    raise
                raise OsrmError(f"OSRM table request to {self.base_url} failed: {error}") from error
            logger.warning("OSRM at %s failed (%s); using %r", self.base_url, error, self.fallback)
            minutes, metres = self.fallback.minutes(points), self.fallback.metres(points)
        self._cache = (key, minutes, metres)
        return minutes, metres

    def minutes(self, points: Sequence[Point]) -> list[list[int]]:
        return self._table(points)[0]

    def metres(self, points: Sequence[Point]) -> list[list[int]]:
        return self._table(points)[1]


def default_matrix() -> DistanceMatrix:
    """``OsrmMatrix`` when ``OSRM_URL`` is set, else the coordinate estimate."""
    url = os.environ.get("OSRM_URL", "").strip()
    return OsrmMatrix(url) if url else HaversineMatrix()


def _check_stops(stops: Sequence[Stop], capacity_kg: float | None) -> None:
    keys = [stop.key for stop in stops]
    if len(set(keys)) != len(keys):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"stop keys must be unique; repeated: {', '.join(duplicates)}")
    if capacity_kg is not None:
        peak = _peak_load(stops)
        if peak > capacity_kg:
            raise CapacityError(
                f"the run would carry {peak:g} kg but the car takes {capacity_kg:g} kg; "
                "split the collection over two runs"
            )


def _initial_load(stops: Sequence[Stop]) -> float:
    """Goods already in the boot at departure: whatever the town stops drop beyond what the
    households supply (for example boxes from the team's store room)."""
    return max(0.0, -sum(stop.load for stop in stops))


def _peak_load(stops: Sequence[Stop]) -> float:
    """Load after the last household, the most the car ever carries (households add, town
    stops drop, and households come first)."""
    return _initial_load(stops) + sum(stop.load for stop in stops if not stop.in_town)


def _plan_for_order(
    order: Sequence[Stop],
    minutes: list[list[int]],
    metres: list[list[int]],
    index: dict[str, int],
    solver: str,
) -> RoutePlan:
    """Drive ``order`` and time it; ``index`` maps a stop key to its row in the matrices, whose
    row 0 is the start. Waiting for a window to open is included, lateness is reported."""
    clock = 0
    distance = 0
    previous = 0
    arrivals: list[int] = []
    late: list[str] = []
    for stop in order:
        row = index[stop.key]
        clock += minutes[previous][row]
        distance += metres[previous][row]
        if stop.window is not None:
            clock = max(clock, stop.window[0])
            if clock > stop.window[1]:
                late.append(stop.key)
        arrivals.append(clock)
        clock += stop.service_minutes
        previous = row
    return RoutePlan(list(order), arrivals, clock, distance, late, solver)


def _matrices(
    start: Point, stops: Sequence[Stop], matrix: DistanceMatrix | None
) -> tuple[list[list[int]], list[list[int]], dict[str, int]]:
    matrix = matrix if matrix is not None else default_matrix()
    points = [start, *(stop.point for stop in stops)]
    index = {stop.key: row for row, stop in enumerate(stops, start=1)}
    return matrix.minutes(points), matrix.metres(points), index


def _households_first(stops: Sequence[Stop]) -> list[Stop]:
    return [stop for stop in stops if not stop.in_town] + [stop for stop in stops if stop.in_town]


def placement_order_length(
    start: Point, stops: Sequence[Stop], *, matrix: DistanceMatrix | None = None
) -> RoutePlan:
    """The naive route, for comparison: households in the order given, then town stops in the
    order given. Returns a plan with ``solver="placement"``; its ``total_metres`` and
    ``total_minutes`` are the lengths a planned route should beat."""
    _check_stops(stops, None)
    minutes, metres, index = _matrices(start, stops, matrix)
    return _plan_for_order(_households_first(stops), minutes, metres, index, "placement")


def plan_route(
    start: Point,
    stops: list[Stop],
    *,
    capacity_kg: float | None = None,
    matrix: DistanceMatrix | None = None,
    time_limit_s: float = 1.0,
    solution_limit: int | None = None,
) -> RoutePlan:
    """Order ``stops`` for a run leaving ``start``; see the module docstring for the model.

    Never raises for windows that cannot all be met (the plan's ``late`` lists the misses);
    raises ``CapacityError`` when the produce exceeds ``capacity_kg`` and ``ValueError`` for
    repeated stop keys. If the solver finds no route in time, the households-first placement
    order is returned with ``solver="placement"``.

    The search stops at ``time_limit_s`` or after ``solution_limit`` solutions, whichever
    comes first; ``None`` means ``SOLUTIONS_PER_STOP`` per stop (at least 200), ``0`` leaves
    only the time limit.
    """
    _check_stops(stops, capacity_kg)
    if not stops:
        return RoutePlan([], [], 0, 0, [], "empty")
    minutes, metres, index = _matrices(start, stops, matrix)

    # heavy: loaded only by the workers that use it (OR-Tools: route planning, not buyers' pages)
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    size = len(stops)
    end = size + 1  # dummy node: the open route's end
    manager = pywrapcp.RoutingIndexManager(size + 2, 1, [0], [end])
    routing = pywrapcp.RoutingModel(manager)

    def node_matrix(values: list[list[int]], service: bool) -> list[list[int]]:
        """Values between all nodes; arcs into the dummy end are free, and with ``service``
        each row includes the time spent at its stop before leaving."""
        rows = []
        for node in range(size + 2):
            stay = stops[node - 1].service_minutes if service and 1 <= node <= size else 0
            if node == end:
                rows.append([0] * (size + 2))
                continue
            rows.append([values[node][to] + stay for to in range(size + 1)] + [stay])
        return rows

    cost = routing.RegisterTransitMatrix(node_matrix(metres, service=False))
    routing.SetArcCostEvaluatorOfAllVehicles(cost)

    travel = routing.RegisterTransitMatrix(node_matrix(minutes, service=True))
    routing.AddDimension(travel, HORIZON_MINUTES, HORIZON_MINUTES, True, "time")
    timing = routing.GetDimensionOrDie("time")
    for node, stop in enumerate(stops, start=1):
        if stop.window is None:
            continue
        earliest, latest = stop.window
        at = manager.NodeToIndex(node)
        timing.CumulVar(at).SetMin(earliest)
        timing.SetCumulVarSoftUpperBound(at, latest, LATE_PENALTY_PER_MINUTE)

    households = sum(1 for stop in stops if not stop.in_town)
    if households and households < size:
        counted = routing.RegisterUnaryTransitVector(
            [
                1 if 1 <= node <= size and not stops[node - 1].in_town else 0
                for node in range(end + 1)
            ]
        )
        routing.AddDimension(counted, 0, households, True, "households_visited")
        visited = routing.GetDimensionOrDie("households_visited")
        for node, stop in enumerate(stops, start=1):
            if stop.in_town:
                visited.CumulVar(manager.NodeToIndex(node)).SetMin(households)

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    if solution_limit is None:
        solution_limit = max(200, SOLUTIONS_PER_STOP * size)
    if solution_limit > 0:
        parameters.solution_limit = solution_limit

    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        logger.warning("no route found for %d stops within %.1f s", size, time_limit_s)
        return _plan_for_order(_households_first(stops), minutes, metres, index, "placement")

    order: list[Stop] = []
    at = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(at):
        order.append(stops[manager.IndexToNode(at) - 1])
        at = solution.Value(routing.NextVar(at))
    return _plan_for_order(order, minutes, metres, index, "ortools")


STOP_COLOURS = {HOUSEHOLD: "#2e7d32", PICKUP: "#1565c0", HOME: "#ef6c00"}


MIN_GAP = 16.0
"""Pixels between two stops' centres on the picture; closer ones are pushed apart."""


def _spread(
    screen: list[tuple[float, float]], width: int, height: int
) -> list[tuple[float, float]]:
    """Push each point (after the start) off the ones already placed, so stops a few metres
    apart (neighbours in one village) are told apart on the phone; the picture is a sketch,
    not a map, and a dot moved by a few pixels misleads nobody."""
    placed: list[tuple[float, float]] = [screen[0]]
    for x, y in screen[1:]:
        step = 0
        nx, ny = x, y
        while any(math.hypot(nx - px, ny - py) < MIN_GAP for px, py in placed) and step < 64:
            step += 1
            angle = step * 2.4  # golden-angle spiral around the true place
            radius = MIN_GAP * math.sqrt(step) * 0.8
            nx = min(max(x + radius * math.cos(angle), 8), width - 8)
            ny = min(max(y + radius * math.sin(angle), 8), height - 8)
        placed.append((nx, ny))
    return placed


def route_svg(
    start: Point,
    plan: RoutePlan,
    width: int = 360,
    height: int = 360,
    labels: dict[str, str] | None = None,
) -> str:
    """The route as a standalone SVG: the start as a dark square, then each stop as a numbered
    circle (households green, pickup points blue, homes orange; a late stop gets a red ring),
    joined in driving order, with its short name from ``labels`` beside it. Coordinates are
    projected flat (longitude scaled by the cosine of the mean latitude), which is accurate
    enough across one county, and fitted to the box with the aspect ratio kept; stops closer
    than ``MIN_GAP`` pixels are pushed apart."""
    labels = labels or {}
    points = [start, *(stop.point for stop in plan.order)]
    mean_lat = math.radians(sum(lat for lat, _ in points) / len(points))
    flat = [(lng * math.cos(mean_lat), lat) for lat, lng in points]
    xs, ys = [x for x, _ in flat], [y for _, y in flat]
    margin = 24
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = min(width - 2 * margin, height - 2 * margin) / span
    drawn_w = (max(xs) - min(xs)) * scale
    drawn_h = (max(ys) - min(ys)) * scale
    left = (width - drawn_w) / 2
    top = (height - drawn_h) / 2

    def place(x: float, y: float) -> tuple[float, float]:
        return left + (x - min(xs)) * scale, top + (max(ys) - y) * scale

    screen = _spread([place(x, y) for x, y in flat], width, height)
    late = set(plan.late)
    dots = []
    for number, (stop, (x, y)) in enumerate(zip(plan.order, screen[1:], strict=True), start=1):
        name = labels.get(stop.key, "")
        hover = f"{number}. {name or stop.key} ({stop.kind})"
        dots.append((x, y, hover, STOP_COLOURS[stop.kind], stop.key in late, name))
    return charts.route_map(screen[0], dots, width, height)
