"""One basket across teams: split at checkout into one order per team.

Each work team's car carries its own goods, so a basket holding eggs from one team and
vegetables from another becomes one order per team, each on that team's run with its
own pickup point or zone. ``parts_of`` cuts the basket into ``BasketPart``s (a basket
object holding one team's lines, which the run checks, the stock reservation and Oscar's
``OrderCreator`` read as they read a whole basket); ``shop.order.placement
.place_parts_on_runs`` places them all or none; ``CheckoutGroup`` records that they were
bought together (the thank-you page, the e-mail, the buyer's account, one online payment).
"""

import copy
from dataclasses import dataclass

from oscar.apps.offer.results import OfferApplications

from shop.speed import as_loaded

# The form field of a part's run and pickup choice: "method_code-<team id>".
FIELD_PREFIX = "method_code-"


@dataclass
class BasketPart:
    """One team's share of a basket: ``basket`` is a copy of the buyer's basket that holds
    only this team's lines (its totals, run checks and order are this part's)."""

    team: object
    basket: object
    number: int  # 1, 2, … in the order the page shows the parts

    @property
    def field_name(self):
        return f"{FIELD_PREFIX}{self.team.pk}"

    def order_number(self, base):
        """The part's order number: the checkout's number with the part's place, so the
        orders of one checkout read as siblings (``100042-1``, ``100042-2``)."""
        return f"{base}-{self.number}"


def team_of(line):
    return line.stockrecord.partner if line.stockrecord_id else None


def is_split(basket):
    """Whether ``basket`` holds more than one team's produce."""
    return (
        len({line.stockrecord.partner_id for line in basket.all_lines() if line.stockrecord_id}) > 1
    )


def parts_of(basket):
    """The basket cut per team, teams by name; [] when it holds one team's produce only."""
    by_team = {}
    for line in basket.all_lines():
        team = team_of(line)
        if team is not None:
            by_team.setdefault(team.pk, (team, []))[1].append(line)
    if len(by_team) < 2:
        return []
    teams = sorted(by_team.values(), key=lambda found: (found[0].name, found[0].pk))
    return [
        BasketPart(team=team, basket=part_basket(basket, lines), number=index)
        for index, (team, lines) in enumerate(teams, start=1)
    ]


def part_basket(basket, lines):
    """A copy of ``basket`` (same id, strategy and checks remembered for this request)
    whose ``all_lines()`` are ``lines``. Offers are worked out per part by the pricing
    already on the lines; the copy starts with no basket-wide offer records."""
    part = copy.copy(basket)
    part._lines = as_loaded(basket.lines.filter(pk__in=[line.pk for line in lines]), lines)
    part.offer_applications = OfferApplications()
    part.__dict__.pop("_prefetched_objects_cache", None)
    return part
