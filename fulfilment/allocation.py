"""Sharing a run's sales out among the households that offered supply, and cutting order lines
when a household brings less than it promised.

Pure Python with ``Decimal`` quantities, so the same rule serves the dashboard, the collection
list and the tests without a database.

The sharing rule (``share_out``)
--------------------------------
At a run's cut-off the quantity of a product sold is shared out among the households that
offered it:

1. Priority tiers are served in a fixed order: households under monitoring (``"monitored"``,
   监测户) first, then formerly poor households (``"formerly_poor"``, 脱贫户), then all
   others (``"other"``). Each tier is filled completely, every household up to what it offered,
   before the next tier gets anything.
2. Within the tier where the sold quantity runs out, the remainder is shared in proportion to
   what each household offered, counted in whole units of the product's ``step`` (one egg, one
   bird, half a 斤). The exact proportional shares are rounded down and the units still left are
   given one by one to the largest fractional remainders (the largest-remainder, or Hamilton,
   method). Equal remainders are broken by the smaller household id, so the result depends on
   the offers alone, never on their order in the list.

一句话：先满足监测户，再满足脱贫户，同一档内及其余农户按报量比例以最小单位分配（最大余数法，户号小者优先）。

Why this shape: teams promise priority households that their produce sells first, and pro-rata
shares within a tier are what households themselves accept as fair; largest remainder keeps
every share a whole unit and never hands anyone more than it offered.

The shortfall rule (``cut_for_shortfall``)
------------------------------------------
When a household supplies less than it committed, the order lines it was supplying are cut
last-in first-cut: the most recently placed line is cut first, as far as it goes (never below
zero), then the next most recent, until the shortfall is covered. Lines placed at the same
moment are cut in descending line id order (the later id was written later). Buyers who
ordered early keep their goods, which is the promise the shop makes when it says "order
before the cut-off".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

PRIORITY_TIERS: tuple[str, ...] = ("monitored", "formerly_poor", "other")
"""Tier names in the order they are served."""

LineId = TypeVar("LineId", bound=Hashable)


@dataclass(frozen=True)
class Offer:
    """What one household offered of one product for one run."""

    household_id: int
    priority: str  # one of PRIORITY_TIERS
    quantity: Decimal


def _units(value: Decimal, step: Decimal, what: str) -> int:
    """Whole number of ``step`` units in ``value``; a fraction of a step is a data error."""
    units, rest = divmod(value, step)
    if rest != 0:
        raise ValueError(f"{what} {value} is not a whole multiple of the step {step}")
    return int(units)


def _check_step(step: Decimal) -> None:
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")


def _largest_remainder(total: int, weights: list[tuple[int, int]]) -> dict[int, int]:
    """Share ``total`` units in proportion to ``(key, weight)`` pairs, where
    ``0 <= total <= sum(weights)``.

    Integer arithmetic only, so there is no rounding drift. A share never exceeds its weight:
    a unit goes to a key only when its exact quota has a non-zero fraction, i.e. is below the
    weight.
    """
    whole = sum(weight for _, weight in weights)
    if whole == 0:
        return {key: 0 for key, _ in weights}
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for key, weight in weights:
        floor, remainder = divmod(total * weight, whole)
        shares[key] = floor
        remainders.append((remainder, key))
    left = total - sum(shares.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left]:
        shares[key] += 1
    return shares


def share_out(sold: Decimal, offers: list[Offer], step: Decimal = Decimal(1)) -> dict[int, Decimal]:
    """Return how much each household supplies, keyed by household id (zero included).

    Follows the sharing rule in the module docstring. Raises ``ValueError`` when ``sold`` is
    negative or more than was offered, when a quantity is not a whole multiple of ``step``, when
    a priority is unknown, or when a household appears twice.
    """
    _check_step(step)
    if sold < 0:
        raise ValueError(f"sold quantity must not be negative, got {sold}")
    seen: set[int] = set()
    for offer in offers:
        if offer.priority not in PRIORITY_TIERS:
            raise ValueError(
                f"household {offer.household_id} has unknown priority {offer.priority!r}; "
                f"expected one of {', '.join(PRIORITY_TIERS)}"
            )
        if offer.quantity < 0:
            raise ValueError(
                f"household {offer.household_id} offered a negative quantity {offer.quantity}"
            )
        if offer.household_id in seen:
            raise ValueError(f"household {offer.household_id} has more than one offer")
        seen.add(offer.household_id)

    offered = sum((offer.quantity for offer in offers), Decimal(0))
    if sold > offered:
        raise ValueError(f"sold quantity {sold} exceeds the {offered} the households offered")

    remaining = _units(sold, step, "sold quantity")
    shares: dict[int, int] = {}
    for tier in PRIORITY_TIERS:
        weights = [
            (
                offer.household_id,
                _units(offer.quantity, step, f"offer of household {offer.household_id}"),
            )
            for offer in offers
            if offer.priority == tier
        ]
        tier_total = sum(weight for _, weight in weights)
        if remaining >= tier_total:
            shares.update(weights)
            remaining -= tier_total
        else:
            shares.update(_largest_remainder(remaining, weights))
            remaining = 0
    return {offer.household_id: shares[offer.household_id] * step for offer in offers}


def cut_for_shortfall(
    lines: Iterable[tuple[LineId, Decimal, Any]],
    shortfall: Decimal,
    step: Decimal = Decimal(1),
) -> dict[LineId, Decimal]:
    """Return the cut per order line for a household's ``shortfall``; uncut lines are left out.

    ``lines`` are ``(line_id, quantity, placed_at)`` for the lines the household was supplying;
    ``placed_at`` is anything orderable (usually a datetime). Lines are cut last-in first-cut
    (see the module docstring); the cuts add up to the shortfall, or to everything when the
    shortfall is larger than the lines. Quantities and the shortfall must be whole multiples of
    ``step`` so that a refund never covers half an egg.
    """
    _check_step(step)
    if shortfall < 0:
        raise ValueError(f"shortfall must not be negative, got {shortfall}")
    remaining = _units(shortfall, step, "shortfall")
    lines = list(lines)
    for line_id, quantity, _ in lines:
        if quantity < 0:
            raise ValueError(f"order line {line_id} has a negative quantity {quantity}")
        _units(quantity, step, f"quantity of order line {line_id}")

    cuts: dict[LineId, Decimal] = {}
    for line_id, quantity, _ in sorted(lines, key=lambda line: (line[2], line[0]), reverse=True):
        if remaining == 0:
            break
        cut = min(_units(quantity, step, "quantity"), remaining)
        if cut:
            cuts[line_id] = cut * step
            remaining -= cut
    return cuts
