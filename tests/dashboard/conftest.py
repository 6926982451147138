"""Two teams with products, households, runs and orders, and one user per role."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.dashboard import factories as desk_factories
from tests.partner.factories import UserFactory, team_member


@dataclass
class TeamWorld:
    team: object
    member: object
    product: object
    household: object
    order: object  # this team's own order
    run: object = None


@pytest.fixture
def world(team, other_team):
    """Team A (``team``) and team B (``other_team``), each with its own things, plus one
    basket holding both teams' produce, which checkout splits into one order per team
    (``split``: {"a": A's part, "b": B's part}, numbered N-1 and N-2, grouped as one
    checkout). Every order is placed as the shop places it (``tests.order.factories``)."""
    from tests.fulfilment.factories import DeliveryRunFactory
    from tests.order.factories import make_order, make_split_order

    sides = {}
    for key, t, title in (("a", team, "向阳村土鸡蛋"), ("b", other_team, "柳河村小笨鸡")):
        village = VillageFactory(slug=f"v-{t.code}", name=f"{t.code}村")
        village.teams.add(t)
        household = HouseholdFactory(team=t, village=village, public_name=f"{title}农户")
        product = product_in_stock(team=t, title=title, price=D("2.00"), stock=50)
        product.households.add(household)
        member = team_member(t, username=f"member-{key}")
        order = make_order(None, [(product, 3)], email=f"only-{key}@example.cn")
        run = DeliveryRunFactory(team=t)
        sides[key] = TeamWorld(t, member, product, household, order, run)
    parts = make_split_order(
        [(sides["a"].product, 2), (sides["b"].product, 5)], email="mixed@example.cn"
    )
    team_of = {side.team.pk: key for key, side in sides.items()}
    split = {team_of[order.lines.get().partner_id]: order for order in parts}
    return {
        "a": sides["a"],
        "b": sides["b"],
        "split": split,
        "coordinator": desk_factories.coordinator(),
        "editor": desk_factories.editor(),
        "customer": UserFactory(username="buyer"),
    }
