"""Checkout lock benchmark: 16 buyers placing pay-on-pickup orders on ONE run at once.

Needs PostgreSQL (``DATABASE_URL=postgres://...``; skipped with a note otherwise): the
question is how long sessions wait on each other's row locks, which SQLite cannot show.
On the database ``DATABASE_URL`` names it migrates, loads the demo data and adds the
checkout bench's run and products (``checkout_bench.SETUP``), then, three times:

- 16 buyer processes, each with its own connection, place orders for a fixed time, each
  order as checkout's "提交订单" does after its form checks: a guest basket with one
  product, the shop's ``PaymentDetailsView.handle_payment`` and ``place_order`` (room in
  the car, stock, Oscar's OrderCreator, payment records, the run link), basket submitted;
- a 17th connection samples ``pg_stat_activity`` every 50 ms: of the buyers' active
  sessions, how many wait on a lock (``wait_event_type = 'Lock'``), and how many of
  those wait on the run's row (the tuple lock a waiter holds names the table), with the
  tables most waited on.

It prints orders/s and the lock shares, each as the median and range of the three runs.
Run it on two checkouts of the code (e.g. a worktree of the old code) against two
databases to compare them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python \\
        bench/checkout_lock_bench.py [--buyers 16] [--seconds 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path[:0] = [str(BASE_DIR), str(BENCH_DIR)]

from checkout_bench import SETUP, bench_env, manage  # noqa: E402

SAMPLE_EVERY_S = 0.05
RUN_TABLE = "fulfilment_deliveryrun"
# A session waiting for a row lock holds the row's tuple lock while it waits: that names
# the table whose row it waits for.
SAMPLE_SQL = """
SELECT a.wait_event_type = 'Lock',
       (SELECT l.relation::regclass::text FROM pg_locks l
        WHERE l.pid = a.pid AND l.locktype IN ('tuple', 'relation')
          AND (l.locktype = 'tuple' OR NOT l.granted)
        ORDER BY l.locktype = 'tuple' DESC LIMIT 1)
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend' AND a.state = 'active'
  AND a.application_name = 'lock-bench-buyer'
"""


def buyer(number, setup, start, stop_at, results):
    """One buyer process: its own connection, orders placed until ``stop_at``."""
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from oscar.apps.order.exceptions import UnableToPlaceOrder
    from oscar.core.loading import get_class, get_model

    from fulfilment.models import RunPickup
    from shop.checkout.utils import CheckoutSessionData
    from shop.checkout.views import PaymentDetailsView
    from shop.payment.methods import PAY_ON_PICKUP
    from shop.shipping.methods import PickupOnRun

    Basket = get_model("basket", "Basket")
    Country = get_model("address", "Country")
    Product = get_model("catalogue", "Product")
    ShippingAddress = get_model("order", "ShippingAddress")
    OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
    OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
    Selector = get_class("partner.strategy", "Selector")

    with connection.cursor() as cursor:
        cursor.execute("SET application_name = 'lock-bench-buyer'")
    product = Product.objects.get(pk=setup["plenty"])
    stop = RunPickup.objects.select_related("run", "point").get(pk=setup["stop"])
    china = Country.objects.get(iso_3166_1_a2="CN")

    def place_one(n):
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        basket.add_product(product, 1)
        request = RequestFactory().post("/shop/checkout/preview/", {"action": "place_order"})
        request.session = SessionStore()
        request.user = AnonymousUser()
        request.basket = basket
        view = PaymentDetailsView()
        view.setup(request)
        view.checkout_session = CheckoutSessionData(request)
        view.checkout_session.pay_by(PAY_ON_PICKUP)
        email = f"buyer{number}-{n}@bench.example.cn"
        view.checkout_session.set_guest_email(email)
        method = PickupOnRun(stop)
        charge = method.calculate(basket)
        total = OrderTotalCalculator().calculate(basket, charge)
        order_number = OrderNumberGenerator().order_number(basket)
        view.handle_payment(order_number, total)
        view.place_order(
            order_number=order_number,
            user=request.user,
            basket=basket,
            shipping_address=ShippingAddress(
                first_name="压测", phone_number="+8613812345678", country=china
            ),
            shipping_method=method,
            shipping_charge=charge,
            order_total=total,
            billing_address=None,
            guest_email=email,
        )
        basket.submit()

    placed = refused = errors = 0
    first_error = ""
    start.wait()
    n = 0
    while time.time() < stop_at:
        n += 1
        try:
            place_one(n)
            placed += 1
        except UnableToPlaceOrder:
            refused += 1
        except Exception as error:  # noqa: BLE001  counted and reported
            errors += 1
            first_error = first_error or repr(error)[:200]
    connection.close()
    results.put({"placed": placed, "refused": refused, "errors": errors, "error": first_error})


def sample_locks(stop_at, counts):
    from django.db import connections

    connection = connections.create_connection("default")  # the 17th connection
    try:
        with connection.cursor() as cursor:
            while time.time() < stop_at:
                cursor.execute(SAMPLE_SQL)
                for waiting, table in cursor.fetchall():
                    counts["active"] += 1
                    if waiting:
                        counts["lock"] += 1
                        counts["run_row"] += table == RUN_TABLE
                        counts["tables"][table or "?"] = counts["tables"].get(table or "?", 0) + 1
                time.sleep(SAMPLE_EVERY_S)
    finally:
        connection.close()


def one_run(setup, buyers, seconds):
    from django.db import connections

    connections.close_all()  # each buyer opens its own
    context = multiprocessing.get_context("fork")
    start = context.Event()
    results = context.Queue()
    warm_up_s = 8
    stop_at = time.time() + warm_up_s + seconds
    processes = [
        context.Process(target=buyer, args=(n, setup, start, stop_at, results))
        for n in range(buyers)
    ]
    for process in processes:
        process.start()
    time.sleep(warm_up_s - 1)  # every buyer has set Django up and read its rows
    counts = {"active": 0, "lock": 0, "run_row": 0, "tables": {}}
    started = time.time()
    start.set()
    sampler = threading.Thread(target=sample_locks, args=(stop_at, counts))
    sampler.start()
    outcomes = [results.get(timeout=seconds + 120) for _ in processes]
    elapsed = max(time.time(), stop_at) - started
    sampler.join()
    for process in processes:
        process.join(timeout=30)
    placed = sum(o["placed"] for o in outcomes)
    active = counts["active"] or 1
    return {
        "orders_per_s": placed / elapsed,
        "placed": placed,
        "refused": sum(o["refused"] for o in outcomes),
        "errors": sum(o["errors"] for o in outcomes),
        "error": next((o["error"] for o in outcomes if o["error"]), ""),
        "lock_share": counts["lock"] / active,
        "run_row_share": counts["run_row"] / active,
        "samples": counts["active"],
        "tables": ", ".join(
            f"{table} {n / active:.0%}"
            for table, n in sorted(counts["tables"].items(), key=lambda item: -item[1])[:3]
        ),
    }


def spread(values, fmt):
    return f"{fmt(statistics.median(values))} (range {fmt(min(values))}–{fmt(max(values))})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("skipped: set DATABASE_URL=postgres://... (row-lock waits need PostgreSQL)")
        return 0
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="checkout-lock-bench-"))
    env = bench_env(workdir)
    manage(env, "migrate", "--noinput", timeout=1200)
    manage(env, "load_demo", timeout=1200)
    setup = json.loads(
        manage(env, "shell", "-c", SETUP.replace("__UNITS__", "10")).strip().splitlines()[-1]
    )
    os.environ.update(env)
    import django

    django.setup()
    from fulfilment.models import RunPickup

    code = setup["code"]
    setup["stop"] = next(s.pk for s in RunPickup.objects.all() if s.shipping_code == code)
    print(f"setup: {time.monotonic() - started:.0f} s; {args.buyers} buyers, one run", flush=True)
    results = []
    for number in range(args.runs):
        result = one_run(setup, args.buyers, args.seconds)
        results.append(result)
        print(
            f"run {number + 1}: {result['placed']} orders in {args.seconds:.0f} s → "
            f"{result['orders_per_s']:.1f} orders/s; of {result['samples']} active-session "
            f"samples {result['lock_share']:.0%} wait on a lock, {result['run_row_share']:.0%} "
            f"on the run's row (waits by table: {result['tables'] or 'none'}); "
            f"refused {result['refused']}, errors {result['errors']} {result['error']}",
            flush=True,
        )
    print(
        f"orders/s: {spread([r['orders_per_s'] for r in results], lambda v: f'{v:.1f}')}\n"
        f"waiting on any lock: {spread([r['lock_share'] for r in results], '{:.0%}'.format)}\n"
        f"waiting on the run's row: "
        f"{spread([r['run_row_share'] for r in results], '{:.0%}'.format)}\n"
        f"total: {time.monotonic() - started:.0f} s"
    )
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
