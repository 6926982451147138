"""Every Celery task the shop defines runs at least once in the stage's real worker.

``SHOP_TASKS`` is the one list: each task with how the stage makes it run. A test in the
default suite checks that it names exactly the tasks registered with the shop's Celery app,
so a new task cannot be left out of the stage.
"""

import re
import subprocess
import sys
import time

import pytest

from tests.production.conftest import ROOT, STAGE_DIR, production_env

SHOP_TASKS = {
    # queued by the journeys (tests/production/test_journeys.py) or by load_demo
    "shop.checkout.tasks.confirm_orders": "journey: guest purchase",
    "shop.tasks.send_email": "journey: guest purchase (the queued mail backend)",
    "shop.tasks.solve_route": "journey: plan route",
    "shop.tasks.export_report": "journey: report export",
    "shop.tasks.warm_renditions": "load_demo: story images saved",
    "shop.tasks.warm_product_images": "load_demo: product photos saved",
    "shop.notices.tasks.send_notice": "journey: guest purchase (the order's text message)",
    "shop.waitlist.tasks.tell_waiting_buyers": "journey: a waiting buyer is told (new supply)",
    "content.tasks.refresh_story": "journey: the scheduled story goes live",
    "content.tasks.update_admin_search": "journey: the scheduled story goes live",
    # queued by beat (CELERY_BEAT_SCHEDULE)
    "shop.tasks.close_due_runs": "beat: every 60 s",
    "content.tasks.publish_scheduled": "beat: every 60 s (scheduled story journey)",
    "shop.standing.tasks.place_due_standing_orders": "beat: every 60 s (standing order journey)",
    "shop.tasks.release_expired_reservations": "beat: every 120 s",
    # nothing in the stage queues them (beat every 15 min; no refund waits on Stripe): sent here
    "shop.tasks.retry_pending_refunds": "sent: celery call",
    "shop.tasks.settle_refunds_owed": "sent: celery call",
    "shop.tasks.clear_expired_sessions": "sent: celery call (beat: daily)",
}
SENT_ARGS = {"shop.tasks.settle_refunds_owed": "[[]]"}


def test_the_list_names_every_task_the_shop_defines():
    from shop.celery import app

    app.loader.import_default_modules()
    defined = {name for name in app.tasks if not name.startswith("celery.")}
    assert defined == set(SHOP_TASKS)


def _succeeded(log):
    return set(re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded", log))


@pytest.mark.production
def test_every_shop_task_succeeded_in_the_real_worker():
    for name, how in SHOP_TASKS.items():
        if how.startswith("sent:"):
            subprocess.run(
                [sys.executable, "-m", "celery", "-A", "shop", "call", name]
                + (["--args", SENT_ARGS[name]] if name in SENT_ARGS else []),
                cwd=ROOT,
                env=production_env(),
                check=True,
                capture_output=True,
                timeout=60,
            )
    log_path = STAGE_DIR / "worker.log"

    def missing():
        return set(SHOP_TASKS) - _succeeded(log_path.read_text(errors="replace"))

    # beat's 120 s job may still be due when the journeys end quickly
    deadline = time.monotonic() + 150
    while missing() and time.monotonic() < deadline:
        time.sleep(3)
    assert not missing(), f"never succeeded in the worker: {sorted(missing())}"
