from decimal import Decimal as D

import pytest

from catalogue.models import Household
from tests import factories
from tests.fulfilment.factories import DeliveryZoneFactory


@pytest.fixture
def member(team):
    return factories.team_member(team)


@pytest.fixture
def coordinator(db):
    return factories.UserFactory(username="coordinator", is_staff=True)


@pytest.fixture
def households(team):
    """Three households of the team: monitored, formerly poor, other."""
    village = factories.VillageFactory(slug="xiangyang", name="向阳村")
    make = factories.HouseholdFactory
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
