"""Checkout benchmark: guest orders (pay on pickup) through the real HTTP stack.

Starts gunicorn (2 sync workers) on 127.0.0.1 and a free port with a fresh database
(a temporary SQLite file, or ``DATABASE_URL`` when set), loads the demo data and opens
a delivery run, then:

1. contention: M buyers at once for the last K units of one product; exactly K may
   be sold, the rest must be told it is sold out;
2. throughput: N guest checkouts by a bounded pool of concurrent clients, each doing
   add to basket → the one-page order confirmation, posted with name, mobile, e-mail,
   pickup stop and payment method (the order is placed), reported as orders per second
   (checkouts not started before the time bound are skipped and counted).

At the end the oversell count (units allocated beyond stock, over every stock record,
plus orders beyond K in phase 2) is printed; it must be 0. gunicorn is stopped in any
case and the whole run is bounded in time (< 3 minutes).

    .venv/bin/python bench/checkout_bench.py [--orders 120] [--clients 8] [--buyers 40] [--units 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from http_client import HOST, Browser, free_port, guest_checkout, wait_for_server

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEADLINE_S = 170

SETUP = r"""
import datetime, json
from decimal import Decimal
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment.models import DeliveryRun, PickupPoint, RunPickup

StockRecord = get_model("partner", "StockRecord")
# Two bench products nobody committed supply for: only their stock record limits them.
point = PickupPoint.objects.filter(is_active=True).select_related("team").first()
team = point.team
Product = get_model("catalogue", "Product")
model = StockRecord.objects.filter(partner=team).select_related("product").first().product
records = []
for title in ("压测土鸡蛋", "压测小笨鸡"):
    product = Product.objects.create(
        title=title, product_class=model.product_class, structure="standalone", is_public=True,
        unit=model.unit, order_step=1, origin_village=model.origin_village,
    )
    records.append(StockRecord.objects.create(
        product=product, partner=team, partner_sku="BENCH-" + str(product.pk),
        price_currency="CNY", price=Decimal("1.50"), num_in_stock=0,
    ))
now = timezone.now()
run = DeliveryRun.objects.create(
    team=team, date=(now + datetime.timedelta(days=2)).date(), departure_time=datetime.time(7, 0),
    cutoff=now + datetime.timedelta(days=1), capacity_kg=Decimal("99999"), capacity_crates=0,
    start_label="bench", start_latitude=Decimal("38.05"), start_longitude=Decimal("114.5"),
)
stop = RunPickup.objects.create(run=run, point=point, window_start=datetime.time(9, 0),
                                window_end=datetime.time(11, 0))
plenty, scarce = records
StockRecord.objects.filter(pk=plenty.pk).update(num_in_stock=100000, num_allocated=0)
StockRecord.objects.filter(pk=scarce.pk).update(num_in_stock=__UNITS__, num_allocated=0)
print(json.dumps({"code": stop.shipping_code, "plenty": plenty.product_id,
                  "scarce": scarce.product_id, "scarce_title": scarce.product.get_title()}))
"""

CHECK = r"""
import json
from django.db.models import F, Sum
from oscar.core.loading import get_model
StockRecord = get_model("partner", "StockRecord")
Line = get_model("order", "Line")
over = sum(max(0, (r.num_allocated or 0) - (r.num_in_stock or 0)) for r in StockRecord.objects.all())
sold = Line.objects.filter(product_id=__SCARCE__).exclude(order__status="已取消").aggregate(
    n=Sum("quantity"))["n"] or 0
print(json.dumps({"over_allocated": over, "scarce_sold": sold}))
"""


def bench_env(workdir):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.dev",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=str(workdir),
        PAGE_CACHE="0",
        LOG_LEVEL="ERROR",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        STRIPE_SECRET_KEY="",
        PYTHONWARNINGS="ignore",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args, timeout=120):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-3000:])
        raise SystemExit(f"manage.py {args[0]} failed")
    return result.stdout


def run_buyers(port, count, clients, product_id, code, deadline=None):
    outcomes = []
    lock = threading.Lock()

    def one(_):
        if deadline is not None and time.monotonic() > deadline:
            with lock:
                outcomes.append("skipped")
            return
        browser = Browser(port)
        try:
            outcome = guest_checkout(browser, f"/shop/basket/add/{product_id}/", 1, code)
        except (OSError, http.client.HTTPException) as error:
            outcome = f"connection: {error}"
        finally:
            browser.close()
        with lock:
            outcomes.append(outcome)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(count)))
    return outcomes, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--units", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="checkout-bench-"))
    env = bench_env(workdir)
    proc = None
    try:
        manage(env, "migrate", "--noinput", timeout=150)
        print(f"migrate: {time.monotonic() - started:.0f} s", flush=True)
        manage(env, "load_demo")
        setup = json.loads(
            manage(env, "shell", "-c", SETUP.replace("__UNITS__", str(args.units)))
            .strip()
            .splitlines()[-1]
        )
        print(
            f"setup: {time.monotonic() - started:.0f} s (database: "
            f"{env['DATABASE_URL'].split(':')[0]})",
            flush=True,
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"{HOST}:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                "shop.wsgi",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "gunicorn.log", "w"),
        )
        wait_for_server(port, proc)

        outcomes, seconds = run_buyers(
            port, args.buyers, args.buyers, setup["scarce"], setup["code"]
        )
        print(
            f"contention: {args.buyers} buyers at once for the last {args.units} of "
            f"“{setup['scarce_title']}”: {outcomes.count('ordered')} ordered, "
            f"{outcomes.count('refused')} told it is sold out, "
            f"{len(outcomes) - outcomes.count('ordered') - outcomes.count('refused')} other "
            f"({seconds:.1f} s)",
            flush=True,
        )
        others = [o for o in outcomes if o not in ("ordered", "refused")]
        if others:
            print("  other outcomes:", sorted(set(others))[:5])
        deadline = started + DEADLINE_S - 15
        outcomes, seconds = run_buyers(
            port, args.orders, args.clients, setup["plenty"], setup["code"], deadline=deadline
        )
        ordered = outcomes.count("ordered")
        print(
            f"throughput: {ordered}/{args.orders} orders in {seconds:.1f} s with {args.clients} "
            f"clients → {ordered / seconds:.1f} orders/s"
        )
        failures = [o for o in outcomes if o not in ("ordered", "skipped")]
        if failures:
            print("  not ordered:", failures[:5])
        if "skipped" in outcomes:
            print(f"  {outcomes.count('skipped')} checkouts skipped to stay within the time bound")
        check = json.loads(
            manage(env, "shell", "-c", CHECK.replace("__SCARCE__", str(setup["scarce"])))
            .strip()
            .splitlines()[-1]
        )
        oversell = check["over_allocated"] + max(0, check["scarce_sold"] - args.units)
        print(
            f"oversell: {oversell} (units allocated beyond stock: {check['over_allocated']}; "
            f"scarce product sold {check['scarce_sold']} of {args.units})"
        )
        print(f"total: {time.monotonic() - started:.0f} s")
        return 1 if oversell else 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
