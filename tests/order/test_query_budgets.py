"""The pages that show an order's money read it in a fixed number of queries: the driver
view and the run sheet cost the same for 2 orders as for 8, and the buyer's order page the
same for 1 line as for 6."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fulfilment import runs
from fulfilment.models import DeliveryRun
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.fulfilment.factories import CommitmentFactory, DeliveryRunFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm: per-process rows (site, countries, payment types) are read once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_driver_view_and_run_sheet_do_not_grow_with_orders(client, team, pickup_point, eggs):
    household = HouseholdFactory(team=team)
    eggs.households.add(household)
    client.force_login(team_member(team))
    runs_by_size = {}
    for orders in (2, 8):
        run = DeliveryRunFactory(team=team, stops=[pickup_point])
        CommitmentFactory(run=run, household=household, product=eggs, quantity=40)
        runs_by_size[orders] = run
    for orders, run in runs_by_size.items():
        for n in range(orders):
            make_order(run, [(eggs, 2 + n % 3)], paid_online=bool(n % 2), name=f"买家{n}")
    sizes = []
    for run in runs_by_size.values():
        DeliveryRun.objects.filter(pk=run.pk).update(cutoff=timezone.now() - datetime.timedelta(1))
        run.refresh_from_db()
        runs.change_status(run, DeliveryRun.Status.CLOSED)
        driver = reverse("fulfilment:driver", args=[run.pk])
        sheet = reverse("fulfilment:run-document", args=[run.pk, "sheet"]) + "?format=xlsx"
        sizes.append((_queries(client, driver), _queries(client, sheet)))
    assert sizes[0] == sizes[1]


def test_buyer_order_page_does_not_grow_with_lines(client, team, run, customer):
    products = [product_in_stock(team=team, price=D("2.00"), title=f"菜{n}") for n in range(6)]
    client.force_login(customer)
    one = make_order(run, [(products[0], 1)])
    six = make_order(run, [(product, 2) for product in products])
    type(one).objects.filter(pk__in=[one.pk, six.pk]).update(user=customer)
    small = _queries(client, reverse("customer:order", args=[one.number]))
    large = _queries(client, reverse("customer:order", args=[six.number]))
    assert large == small
