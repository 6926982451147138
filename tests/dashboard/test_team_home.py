"""The team home screen: runs with their fill, orders to confirm, low stock, payouts due."""

from decimal import Decimal as D

from django.urls import reverse

from fulfilment.models import Allocation, OrderRun
from tests.order.factories import make_order, own_run


def test_team_home_shows_only_the_teams_own_work(client, world):
    a, b = world["a"], world["b"]
    # A's own order (placed on a run of its own) is carried by ``a.run``, weighed at 150 kg
    OrderRun.objects.filter(order=a.order).update(run=a.run, weight_kg=D("150"))
    record = a.product.stockrecords.get()
    record.num_in_stock = (record.num_allocated or 0) + 3  # 3 left beside the orders placed
    record.save()
    client.force_login(a.member)
    response = client.get(reverse("dashboard:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "已装 150.0 / 300 公斤（50%），1 单" in page
    assert f'href="{reverse("fulfilment:driver", args=[a.run.pk])}"' in page
    assert f'action="{reverse("fulfilment:run-status", args=[a.run.pk])}"' in page
    assert f'href="{reverse("fulfilment:run-document", args=[a.run.pk, "packing"])}"' in page
    assert f'href="{reverse("fulfilment:run-document", args=[b.run.pk, "packing"])}"' not in page
    assert "待确认订单（2）" in page  # A's own order and the shared one
    assert b.order.number not in page
    assert a.product.get_title() in page and "还剩 3" in page
    assert b.product.get_title() not in page


def test_households_waiting_for_payout(client, world):
    a = world["a"]
    Allocation.objects.create(
        run=a.run, household=a.household, product=a.product, quantity=5, unit_price=D("2")
    )
    a.run.status = "done"
    a.run.save()
    client.force_login(a.member)
    assert "等待结算的农户：1 户" in client.get(reverse("dashboard:index")).content.decode()


def test_coordinator_keeps_oscars_overview(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert "oscar/dashboard/team_home.html" not in [t.name for t in response.templates]


def test_team_home_query_budget(client, world, django_assert_max_num_queries):
    run = own_run(world["a"].product)  # the week's orders on one run
    for _ in range(20):
        make_order(run, [(world["a"].product, 1)])
    client.force_login(world["a"].member)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard:index")).status_code == 200


def test_product_list_query_budget_and_isolation(client, world, django_assert_max_num_queries):
    client.force_login(world["a"].member)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("dashboard:catalogue-product-list"))
    page = response.content.decode()
    assert world["a"].product.get_title() in page and world["b"].product.get_title() not in page
    households = client.get(reverse("dashboard:catalogue-household-list")).content.decode()
    assert (
        world["a"].household.public_name in households
        and world["b"].household.public_name not in households
    )


def test_product_lookup_and_stock_alerts_stay_within_the_team(client, world):
    client.force_login(world["b"].member)
    found = client.get(reverse("dashboard:catalogue-product-lookup") + "?q=向阳").content.decode()
    assert world["a"].product.get_title() not in found
    assert client.get(reverse("dashboard:stock-alert-list")).status_code == 403
