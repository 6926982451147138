import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from catalogue.models import Household
from tests import factories
from tests.fulfilment.factories import DeliveryRunFactory, DeliveryZoneFactory


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
def run(team, pickup_point):
    """The open run the shared ``pickup_point`` fixture created (cut-off tomorrow)."""
    return pickup_point.runs.get()


@pytest.fixture
def zone(team):
    return DeliveryZoneFactory(team=team)


@pytest.fixture
def later_run(team, pickup_point):
    return DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )
