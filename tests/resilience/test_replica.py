"""The read replica stopped or lagging (issue 17, faults 6, 7 and 8).

A stopped replica is PostgreSQL at a loopback port where nothing listens; a lagging one is
a copy of the SQLite test database taken before the rows the test then writes (no real
streaming replica runs here). Routing is production's: ``PrimaryReplicaRouter`` and
``PrimaryReadsMiddleware``. The tests commit (``transaction=True``): inside the
transaction other tests run in, every read stays on the primary anyway."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from shop.checkout import tasks as checkout_tasks
from shop.core import db_router
from tests.checkout.test_checkout import add_to_basket
from tests.checkout.test_confirm_page import GUEST
from tests.fulfilment.factories import pickup_code
from tests.resilience.test_redis import confirm_page_key

Order = get_model("order", "Order")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_replica_stopped_search_orders_and_checkout_use_the_primary(
    client, stopped_replica, customer, eggs, run
):
    response = client.get(reverse("site-search"), {"q": "土鸡蛋"})
    assert response.status_code == 200  # was a 500
    assert "散养<mark>土鸡蛋</mark>" in response.content.decode()
    assert db_router.replica_health.is_down()  # remembered: the next reads skip it

    client.force_login(customer)
    add_to_basket(client, eggs, 10)
    form = {**GUEST, "method_code": pickup_code(run), "submission_key": confirm_page_key(client)}
    assert client.post(reverse("checkout:confirm"), form).status_code == 302
    order = Order.objects.get(user=customer)
    assert order.number in client.get(reverse("customer:order-list")).content.decode()

    body = client.get("/readyz/").json()
    assert body["checks"]["replica"]["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_buyer_and_the_mail_worker_see_the_order_just_placed_while_the_replica_lags(
    client, customer, eggs, run, lagging_replica
):
    client.force_login(customer)
    add_to_basket(client, eggs, 10)
    form = {**GUEST, "method_code": pickup_code(run), "submission_key": confirm_page_key(client)}

    placed = client.post(reverse("checkout:confirm"), form)

    assert placed.status_code == 302
    assert db_router.PRIMARY_COOKIE in placed.cookies
    order = Order.objects.using("default").get(user=customer)
    listing = client.get(reverse("customer:order-list")).content.decode()
    assert order.number in listing  # read from the primary for a few seconds after the write

    # Without the cookie (later, or another device) the list comes from the replica, which
    # has not caught up: that is what the cookie was for.
    client.cookies.pop(db_router.PRIMARY_COOKIE)
    assert order.number not in client.get(reverse("customer:order-list")).content.decode()
    assert settings.READ_YOUR_WRITES_SECONDS >= 5

    # A worker sending the order e-mail reads the primary too (it got DoesNotExist from the
    # replica and did not retry: e-mails were lost).
    mail.outbox.clear()
    checkout_tasks.confirm_orders.delay([order.pk])
    assert [message.to for message in mail.outbox] == [[customer.email]]
    assert order.number in mail.outbox[0].subject
