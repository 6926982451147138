from decimal import Decimal as D

import pytest

from catalogue.models import Household
from tests.catalogue.factories import HouseholdFactory, VillageFactory
from tests.fulfilment.factories import DeliveryZoneFactory
from tests.partner.factories import UserFactory, team_member
from tests.payment.conftest import stripe_fake  # noqa: F401  Stripe switched on against the fake


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", is_staff=True)


@pytest.fixture
def households(team):
    """Three households of the team: monitored, formerly poor, other."""
    village = VillageFactory(slug="xiangyang", name="向阳村")
    make = HouseholdFactory
    return {
        "monitored": make(
            team=team,
            village=village,
            public_name="吴奶奶家",
            status=Household.Status.MONITORED,
            latitude=D("34.81"),
            longitude=D("113.52"),
        ),
        "poor": make(
            team=team,
            village=village,
            public_name="王大姐家",
            status=Household.Status.FORMERLY_POOR,
            latitude=D("34.80"),
            longitude=D("113.50"),
        ),
        "other": make(
            team=team,
            village=village,
            public_name="李大叔家",
            status=Household.Status.OTHER,
            latitude=D("34.79"),
            longitude=D("113.53"),
        ),
    }


@pytest.fixture
def zone(team):
    return DeliveryZoneFactory(team=team)


@pytest.fixture
def closed_run(run, eggs, households, pickup_point):
    """A closed run: the monitored household supplies 30 eggs; 张三 and 李四 ordered 20 and
    10 for the pickup point."""
    from fulfilment import runs, supply
    from fulfilment.models import DeliveryRun
    from tests.order.factories import make_order

    pickup_point.latitude, pickup_point.longitude = D("34.752"), D("113.625")
    pickup_point.save()
    supply.set_commitment(run, households["monitored"], eggs, 30)
    make_order(run, [(eggs, 20)], email="a@example.cn", name="张三")
    make_order(run, [(eggs, 10)], email="b@example.cn", name="李四")
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    return run
