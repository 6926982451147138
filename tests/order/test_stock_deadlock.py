"""A buyer whose stock reservation PostgreSQL ends in a deadlock is served on the next
try, not shown an error: the statement changed nothing, so it runs again
(``shop.core.sql.run_statement_or_refuse``).

The deadlock is made on purpose: a rival session holds the second of the basket's two
stock records; the buyer's statement locks the first and waits for the second; the rival
then asks for the first. The buyer's session looks for deadlocks after 50 ms, the rival's
after 10 s, so the buyer's statement is the one PostgreSQL ends."""

import threading
import time

import pytest
from django.db import connection, connections
from oscar.core.loading import get_class, get_model

from shop.partner import reservations
from tests.catalogue.factories import product_in_stock
from tests.racing import postgres_only  # noqa: F401  (a fixture)

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def waiting_on_a_lock(application_name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = %s AND wait_event_type = 'Lock'",
            [application_name],
        )
        return cursor.fetchone()[0] > 0


def test_a_buyer_ended_by_a_deadlock_over_stock_gets_the_stock_on_the_next_try(team, pickup_point):
    eggs = product_in_stock(team=team, title="散养土鸡蛋", stock=10)
    millet = product_in_stock(team=team, title="石磨小米", stock=10)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(eggs, 2)
    basket.add_product(millet, 3)
    first, second = sorted(
        StockRecord.objects.filter(product__in=[eggs, millet]), key=lambda r: r.pk
    )

    rival = connections.create_connection("default")
    rival.set_autocommit(False)
    rival_cursor = rival.cursor()
    rival_cursor.execute("SET deadlock_timeout = '10s'")
    rival_cursor.execute("SET statement_timeout = '30s'")
    rival_cursor.execute("SELECT id FROM partner_stockrecord WHERE id = %s FOR UPDATE", [second.pk])

    outcome = {}

    def buyer():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET application_name = 'deadlock-buyer'")
                cursor.execute("SET deadlock_timeout = '50ms'")
            outcome["held"] = reservations.reserve_basket(Basket.objects.get(pk=basket.pk))
        except Exception as error:  # noqa: BLE001  reported below
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=buyer)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not waiting_on_a_lock("deadlock-buyer"):
            assert time.monotonic() < deadline, "the buyer never waited for the rival's row"
            time.sleep(0.02)
        # The buyer holds the first record and waits for the second: asking for the first
        # closes the circle. PostgreSQL ends the buyer's statement; the rival gets the row.
        rival_cursor.execute(
            "SELECT id FROM partner_stockrecord WHERE id = %s FOR UPDATE", [first.pk]
        )
        rival.commit()
    finally:
        rival.close()
        thread.join(timeout=60)

    assert "error" not in outcome, outcome.get("error")
    wanted = {eggs.stockrecords.get().pk: 2, millet.stockrecords.get().pk: 3}
    assert {r.stockrecord_id: r.quantity for r in outcome["held"]} == wanted
    allocated = dict(StockRecord.objects.filter(pk__in=wanted).values_list("pk", "num_allocated"))
    assert allocated == wanted
