"""Planning a route with a real broker and no result backend, as production runs it.

Production sets a broker (Redis) and no result backend: the view may only queue the task
and must show progress from what the worker stores on the run, never ask Celery for the
task's result (issue 17, fault 2).
"""

import pytest

from fulfilment import tasks
from fulfilment.models import DeliveryRun
from shop.celery import app
from tests.fulfilment.test_team_pages import busy_run  # noqa: F401  (fixture)


@pytest.fixture
def broker_without_results():
    """The shop's Celery app as production configures it, with an in-memory broker."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url="memory://", result_backend=None)
    app._pool = None
    yield app
    app.conf.update(saved)
    app._pool = None


@pytest.mark.django_db
def test_plan_button_with_a_broker_queues_and_the_page_shows_the_plan_once_the_worker_ran(
    client,
    busy_run,  # noqa: F811
    member,
    broker_without_results,
):
    client.force_login(member)
    url = f"/shop/team/runs/{busy_run.pk}/"
    response = client.post(f"{url}route/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "正在规划路线" in page
    busy_run.refresh_from_db()
    assert busy_run.route.get("requested_at")
    assert not busy_run.route.get("stops")

    tasks.solve_route(busy_run.pk)  # what the worker does with the queued message

    page = client.get(url).content.decode()
    assert "正在规划路线" not in page
    assert "全程约" in page and "route-map" in page


@pytest.mark.django_db
def test_a_run_the_worker_cannot_plan_says_why_on_its_page(
    client,
    busy_run,  # noqa: F811
    member,
    broker_without_results,
):
    from catalogue.models import Product

    Product.objects.update(weight_per_unit_g=60)  # 40 eggs sold: 2.4 kg
    DeliveryRun.objects.filter(pk=busy_run.pk).update(capacity_kg="0.5")
    client.force_login(member)
    url = f"/shop/team/runs/{busy_run.pk}/"
    assert "正在规划路线" in client.post(f"{url}route/", follow=True).content.decode()

    tasks.solve_route(busy_run.pk)

    page = client.get(url).content.decode()
    assert "装不下" in page
    assert "正在规划路线" not in page
