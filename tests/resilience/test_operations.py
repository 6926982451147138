"""Workers and app servers when something dies or hangs (issue 17, faults 5, 6 and 9)."""

import runpy
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import OperationalError
from oscar.core.loading import get_class

from shop.celery import app
from shop.checkout import tasks as checkout_tasks
from tests.order.factories import make_order as place_run_order

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_a_task_in_flight_when_its_worker_dies_is_run_again_within_minutes():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] <= 600  # was an hour


@pytest.mark.django_db
def test_the_order_email_is_retried_when_the_database_connection_drops(eggs, run, monkeypatch):
    order = place_run_order(run, [(eggs, 2)], email="lin@example.cn")
    dispatcher = get_class("order.utils", "OrderDispatcher")
    send = dispatcher.send_order_placed_email_for_user
    calls = []

    def drops_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return send(self, *args, **kwargs)

    monkeypatch.setattr(dispatcher, "send_order_placed_email_for_user", drops_once)
    mail.outbox.clear()

    # As a worker runs it (apply, not raising): tried again after the dropped connection.
    checkout_tasks.confirm_orders.apply(args=[[order.pk]], throw=False)

    assert len(calls) == 2
    assert [message.to for message in mail.outbox] == [["lin@example.cn"]]


def test_gunicorn_ends_a_threaded_worker_whose_request_never_returns():
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["worker_class"] == "gthread" and conf["request_timeout"] <= 30
    worker = SimpleNamespace(alive=True, pid=1234)
    request = SimpleNamespace(method="GET", path="/shop/catalogue/")
    released = threading.Event()

    def stuck_request():
        conf["pre_request"](worker, request)
        released.wait(5)
        conf["post_request"](worker, request, {}, None)

    thread = threading.Thread(target=stuck_request)
    thread.start()
    time.sleep(0.1)
    try:
        assert conf["overdue_requests"]() == []
        later = time.monotonic() + conf["request_timeout"] + 1
        overdue = conf["overdue_requests"](now=later)
        assert [(path, method) for _, _, method, path in overdue] == [("/shop/catalogue/", "GET")]
        conf["end_overdue_worker"](worker, overdue)
        assert worker.alive is False  # the worker stops taking requests and is replaced
    finally:
        released.set()
        thread.join()
    assert conf["overdue_requests"](now=later) == []
