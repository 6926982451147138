"""Route solving runs as a background task (in-process without a broker)."""

import pytest

from fulfilment import tasks
from fulfilment.models import DeliveryRun
from tests.fulfilment.test_team_pages import busy_run  # noqa: F401  (fixture)


@pytest.mark.django_db
def test_the_route_task_plans_and_stores_the_run(busy_run):  # noqa: F811
    assert not busy_run.route.get("stops")
    assert tasks.solve_route.delay(busy_run.pk).get() == 3  # two households, one pickup point
    busy_run.refresh_from_db()
    assert [stop["key"][0] for stop in busy_run.route["stops"]] == ["h", "h", "p"]


@pytest.mark.django_db
def test_the_route_task_reports_why_a_run_cannot_be_planned(busy_run):  # noqa: F811
    from catalogue.models import Product

    Product.objects.update(weight_per_unit_g=60)  # 40 eggs sold: 2.4 kg
    DeliveryRun.objects.filter(pk=busy_run.pk).update(capacity_kg="0.5")
    assert "装不下" in tasks.solve_route.delay(busy_run.pk).get()
    busy_run.refresh_from_db()
    assert not busy_run.route.get("stops")


@pytest.mark.django_db
def test_the_plan_button_queues_the_task_and_says_what_came_out(client, busy_run, member):  # noqa: F811
    client.force_login(member)
    response = client.post(f"/shop/team/runs/{busy_run.pk}/route/", follow=True)
    assert "路线已规划：3 站" in response.content.decode()
    busy_run.refresh_from_db()
    assert len(busy_run.route["stops"]) == 3
