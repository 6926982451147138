"""A team with one pickup point and three weekly runs stopping there (cut-offs in 1 hour,
in a week and in two weeks), two products, and two signed-in buyers."""

import datetime
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from shop.standing import schedule
from shop.standing.models import StandingOrder
from tests.catalogue.factories import product_in_stock
from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory
from tests.partner.factories import UserFactory


@pytest.fixture
def point(team):
    return PickupPointFactory(team=team, name="县人民医院门诊大厅")


@pytest.fixture
def weekly_runs(team, point):
    """Three runs a week apart; the first one's cut-off is an hour from now."""
    first_date = timezone.localdate() + datetime.timedelta(days=2)
    first_cutoff = timezone.now() + datetime.timedelta(hours=1)
    return [
        DeliveryRunFactory(
            team=team,
            stops=[point],
            date=first_date + datetime.timedelta(weeks=week),
            cutoff=first_cutoff + datetime.timedelta(weeks=week),
        )
        for week in range(3)
    ]


@pytest.fixture
def eggs(team):
    return product_in_stock(team=team, title="散养土鸡蛋", price=D("1.50"), stock=200)


@pytest.fixture
def chicken(team):
    return product_in_stock(
        team=team, title="农家小笨鸡", price=D("128.00"), stock=10, weight_per_unit_g=1500
    )


def make_user(username):
    return UserFactory(username=username, email=f"{username}@example.cn")


@pytest.fixture
def buyer_a(db):
    return make_user("buyer-a")


@pytest.fixture
def buyer_b(db):
    return make_user("buyer-b")


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_a(buyer_a):
    return signed_in_client(buyer_a)


@pytest.fixture
def client_b(buyer_b):
    return signed_in_client(buyer_b)


def standing_for(user, point, items, frequency=StandingOrder.Frequency.WEEKLY):
    return schedule.start(user, items, frequency, point, "林小满", "13812345678", "zh-hans")


def just_before(run):
    """A moment inside the run's placing window: 5 minutes before its cut-off."""
    return run.cutoff - datetime.timedelta(minutes=5)
