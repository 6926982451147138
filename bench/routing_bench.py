"""Benchmark of ``fulfilment.routing.plan_route`` on county-sized runs.

Each instance starts at a village, collects from households scattered within ~20 km of it, then
drops at pickup points and homes in a town ~30 km away; some town stops have windows. For each
size the planner runs with the default 1 s limit and with 2 s, and is compared with the
placement order (stops as entered) and with the best route found in 30 s.

    .venv/bin/python bench/routing_bench.py [--sizes 10 40 80] [--seeds 2] [--best-limit 30]

Targets: 80 stops planned in under 2 s, at most 3 % longer than the 30 s best, and clearly
shorter than the placement order.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fulfilment.routing import (  # noqa: E402
    HOME,
    HOUSEHOLD,
    PICKUP,
    HaversineMatrix,
    Point,
    Stop,
    placement_order_length,
    plan_route,
)

VILLAGE: Point = (38.05, 114.50)
TOWN: Point = (38.05, 114.50 + 30_000 / (111_320 * math.cos(math.radians(38.05))))


def _near(rng: random.Random, centre: Point, radius_m: float) -> Point:
    """A point uniformly spread over a disc around ``centre``."""
    distance = radius_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    lat = centre[0] + distance * math.cos(bearing) / 111_320
    lng = centre[1] + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(centre[0])))
    return (lat, lng)


def county_instance(size: int, seed: int) -> tuple[Point, list[Stop]]:
    """About 40 % households, then pickup points and homes in town; a third of the town stops
    have windows that open late in the run and are wide enough to be met."""
    rng = random.Random(seed)
    households = max(1, round(size * 0.4))
    stops = []
    for number in range(households):
        lat, lng = _near(rng, VILLAGE, 20_000)
        stops.append(Stop(f"h{number}", lat, lng, HOUSEHOLD, load=rng.randint(2, 15)))
    for number in range(size - households):
        lat, lng = _near(rng, TOWN, 6_000)
        kind = PICKUP if rng.random() < 0.4 else HOME
        window = None
        if rng.random() < 1 / 3:
            opens = rng.randint(0, 240)
            window = (opens, opens + 24 * 60)
        stops.append(Stop(f"t{number}", lat, lng, kind, window=window, load=-rng.randint(1, 5)))
    return VILLAGE, stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 80])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--best-limit", type=float, default=30.0)
    args = parser.parse_args()

    matrix = HaversineMatrix()
    header = (
        f"{'stops':>5} {'seed':>4} {'limit s':>7} {'solve s':>7} {'km':>7} {'min':>5} "
        f"{'place km':>8} {'vs place':>8} {'best km':>7} {'vs best':>7} {'late':>4}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        for seed in range(args.seeds):
            start, stops = county_instance(size, seed)
            placement = placement_order_length(start, stops, matrix=matrix)
            best = plan_route(
                start, stops, matrix=matrix, time_limit_s=args.best_limit, solution_limit=0
            )
            for limit in args.limits:
                began = time.perf_counter()
                plan = plan_route(start, stops, matrix=matrix, time_limit_s=limit)
                took = time.perf_counter() - began
                best_m = min(best.total_metres, plan.total_metres)
                print(
                    f"{size:>5} {seed:>4} {limit:>7.1f} {took:>7.2f} "
                    f"{plan.total_metres / 1000:>7.1f} {plan.total_minutes:>5} "
                    f"{placement.total_metres / 1000:>8.1f} "
                    f"{plan.total_metres / placement.total_metres - 1:>+8.1%} "
                    f"{best_m / 1000:>7.1f} {plan.total_metres / best_m - 1:>+7.1%} "
                    f"{len(plan.late):>4}"
                )


if __name__ == "__main__":
    main()
