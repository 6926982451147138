"""Fulfilment's background work: route planning and closing runs at their cut-off."""

from celery import shared_task

from fulfilment import itinerary, runs
from fulfilment.models import DeliveryRun
from shop.core.tasks import RETRY_ON_MISSING_ROWS


@shared_task(name="shop.tasks.solve_route", time_limit=120, **RETRY_ON_MISSING_ROWS)
def solve_route(run_id):
    """Plan a delivery run's stop order off the request cycle (OR-Tools can take seconds).

    The plan, or why there is none, is stored on the run for its page to show. Returns the
    planned stop count, or the planner's message when the run cannot be routed.
    """
    run = DeliveryRun.objects.using("default").select_related("team").get(pk=run_id)
    try:
        return len(itinerary.plan(run).order)
    except itinerary.RoutePlanError as error:
        itinerary.plan_failed(run, error)
        return str(error)


@shared_task(name="shop.tasks.close_due_runs")
def close_due_runs():
    """Runs whose order cut-off has passed stop taking orders and share out their sales
    (periodic: CELERY_BEAT_SCHEDULE in settings)."""
    return runs.close_due_runs()
