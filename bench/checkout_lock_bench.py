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

It prints orders/s, the buyers' Python CPU per order and the lock shares, each as the
median and range of the three runs. The buyers run with DEBUG off, as a deployed shop
does (``measured_env``).

``--compare-with REV`` measures the code at git revision ``REV`` (e.g. ``2f75002``, the
code before issue 16's order-life work) and this checkout in the same session: a
temporary worktree of ``REV``, one prepared database per side (copied afresh from a
template for every run), and runs taken in turns (before, after, after, before, ...), so
both see the same machine. It prints each side's figures and the after/before ratio of
orders/s per pair of runs; what the figures mean is for the reader to judge.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python \\
        bench/checkout_lock_bench.py [--buyers 16] [--seconds 20] [--runs 3] [--compare-with REV]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path[:0] = [str(BASE_DIR), str(BENCH_DIR)]

from checkout_bench import PYTHON, SETUP, bench_env  # noqa: E402

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
        # A guest's first add to basket, as the basket middleware hands it over: a basket
        # not saved yet, written by ``add_product`` with its line.
        basket = Basket()
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
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    placed = sum(o["placed"] for o in outcomes)
    active = counts["active"] or 1
    return {
        "orders_per_s": placed / elapsed,
        # the buyers' own CPU (Django, Oscar, the shop's code), set-up included; not the
        # database server's
        "cpu_ms_per_order": 1000 * cpu_s / max(placed, 1),
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


def measured_env(workdir):
    """The environment of the buyers: the shop's base settings, with DEBUG off as in
    production (the development settings' DEBUG keeps every query's text in memory and
    formats it, which costs each buyer CPU that a deployed shop does not spend), and
    without production's required secrets and hosts, which placing orders does not use."""
    env = bench_env(workdir)
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.base"
    return env


def spread(values, fmt):
    return f"{fmt(statistics.median(values))} (range {fmt(min(values))}–{fmt(max(values))})"


def prepare(env, cwd=BASE_DIR):
    """Migrate the database ``env`` names, load the demo data and add the bench's run and
    products, with the code checked out at ``cwd``; return what the buyers need
    (``checkout_bench.SETUP``'s answer)."""
    for args in (["migrate", "--noinput"], ["load_demo"], ["shell", "-c", SETUP]):
        done = subprocess.run(
            [PYTHON, "manage.py", *[a.replace("__UNITS__", "10") for a in args]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-3000:])
            raise SystemExit(f"manage.py {args[0]} failed in {cwd}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(setup, buyers, seconds):
    """One run against the database ``DATABASE_URL`` names, set up by ``prepare``."""
    import django

    django.setup()
    from fulfilment.models import RunPickup

    code = setup["code"]
    setup["stop"] = next(s.pk for s in RunPickup.objects.all() if s.shipping_code == code)
    return one_run(setup, buyers, seconds)


def report(label, number, seconds, result):
    print(
        f"{label}run {number}: {result['placed']} orders in {seconds:.0f} s → "
        f"{result['orders_per_s']:.1f} orders/s, {result['cpu_ms_per_order']:.0f} ms buyer "
        f"CPU per order; of {result['samples']} active-session samples "
        f"{result['lock_share']:.0%} wait on a lock, {result['run_row_share']:.0%} on the "
        f"run's row (waits by table: {result['tables'] or 'none'}); refused "
        f"{result['refused']}, errors {result['errors']} {result['error']}",
        flush=True,
    )


def summary(label, results):
    print(
        f"{label}orders/s: {spread([r['orders_per_s'] for r in results], lambda v: f'{v:.1f}')}\n"
        f"{label}buyer CPU per order: "
        f"{spread([r['cpu_ms_per_order'] for r in results], lambda v: f'{v:.0f} ms')}\n"
        f"{label}waiting on any lock: "
        f"{spread([r['lock_share'] for r in results], '{:.0%}'.format)}\n"
        f"{label}waiting on the run's row: "
        f"{spread([r['run_row_share'] for r in results], '{:.0%}'.format)}"
    )


def compare(args, started):
    """Runs of the code at ``args.compare_with`` and of this checkout, taken in turns."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    admin = psycopg.connect(
        base.replace("postgresql://", "postgres://", 1) + "/postgres", autocommit=True
    )

    def recreate(db, template=None):
        admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
        admin.execute(f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))

    workdir = Path(tempfile.mkdtemp(prefix="checkout-lock-compare-"))
    before_tree = workdir / "code-before"
    subprocess.run(
        [
            "git",
            "-C",
            str(BASE_DIR),
            "worktree",
            "add",
            "--detach",
            str(before_tree),
            args.compare_with,
        ],
        check=True,
        capture_output=True,
    )
    sides = {"before": before_tree, "after": BASE_DIR}
    dbs = [f"{name}_{side}{suffix}" for side in sides for suffix in ("_template", "")]
    try:
        # The bench as this checkout has it measures both sides; the code measured is
        # each side's own.
        for script in ("checkout_lock_bench.py", "checkout_bench.py", "http_client.py"):
            shutil.copy(BENCH_DIR / script, before_tree / "bench" / script)
        setups = {}
        for side, tree in sides.items():
            template = f"{name}_{side}_template"
            recreate(template)
            (workdir / side).mkdir()
            env = bench_env(workdir / side)
            env["DATABASE_URL"] = f"{base}/{template}"
            setups[side] = prepare(env, tree)
        print(
            f"setup of both sides: {time.monotonic() - started:.0f} s; {args.buyers} "
            f"buyers, one run; before = {args.compare_with}, after = this checkout",
            flush=True,
        )
        results = {side: [] for side in sides}
        for number in range(args.runs):
            order = ["before", "after"] if number % 2 == 0 else ["after", "before"]
            for side in order:
                db = f"{name}_{side}"
                recreate(db, template=f"{name}_{side}_template")
                env = measured_env(workdir / side)
                env["DATABASE_URL"] = f"{base}/{db}"
                answer = subprocess.run(
                    [
                        PYTHON,
                        str(sides[side] / "bench" / "checkout_lock_bench.py"),
                        "--buyers",
                        str(args.buyers),
                        "--seconds",
                        str(args.seconds),
                        "--one-run",
                        json.dumps(setups[side]),
                    ],
                    cwd=sides[side],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=args.seconds + 600,
                )
                lines = [x for x in answer.stdout.splitlines() if x.startswith("{")]
                if answer.returncode != 0 or not lines:
                    print(answer.stdout[-2000:], answer.stderr[-3000:])
                    raise SystemExit(f"the {side} run failed")
                result = json.loads(lines[-1])
                results[side].append(result)
                report(f"{side}: ", number + 1, args.seconds, result)
        for side in sides:
            summary(f"{side}: ", results[side])
        ratios = [
            after["orders_per_s"] / before["orders_per_s"]
            for before, after in zip(results["before"], results["after"], strict=True)
        ]
        print(
            "after/before orders/s, per pair of runs: "
            + ", ".join(f"{ratio:.2f}" for ratio in ratios)
            + f"; median {statistics.median(ratios):.2f}\n"
            f"total: {time.monotonic() - started:.0f} s"
        )
        return 1 if any(r["errors"] for side in results.values() for r in side) else 0
    finally:
        for db in dbs:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
        admin.close()
        subprocess.run(
            ["git", "-C", str(BASE_DIR), "worktree", "remove", "--force", str(before_tree)],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-with", metavar="REV")
    parser.add_argument("--one-run", metavar="SETUP", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("skipped: set DATABASE_URL=postgres://... (row-lock waits need PostgreSQL)")
        return 0
    started = time.monotonic()
    if args.one_run:  # one side of --compare-with: a prepared database, one run
        print(json.dumps(measure(json.loads(args.one_run), args.buyers, args.seconds)))
        return 0
    if args.compare_with:
        return compare(args, started)
    workdir = Path(tempfile.mkdtemp(prefix="checkout-lock-bench-"))
    env = bench_env(workdir)
    setup = prepare(env)
    os.environ.update(measured_env(workdir))
    print(f"setup: {time.monotonic() - started:.0f} s; {args.buyers} buyers, one run", flush=True)
    results = []
    for number in range(args.runs):
        result = measure(setup, args.buyers, args.seconds)
        results.append(result)
        report("", number + 1, args.seconds, result)
    summary("", results)
    print(
        f"total: {time.monotonic() - started:.0f} s\n"
        "to measure the code before issue 16 in the same session: add --compare-with 2f75002"
    )
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
