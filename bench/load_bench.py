"""Load benchmark: the shop under production settings, measured page by page.

Starts the shop with shop.settings.production (DEBUG off, BENCH_MODE on) under
gunicorn with 2 workers on 127.0.0.1 and a free port, on PostgreSQL when
DATABASE_URL is set (otherwise a temp SQLite file) and Redis when it answers
on 127.0.0.1:6379 (db 11, flushed); loads bench/dataset.py's data set (10,000
products, 200,000 order lines, 500 stories); then drives each page with wrk
(16 connections) and checkout with a Python client, and prints per page:
requests/s, p50/p99 latency, errors, SQL queries per request (cache miss / hit,
from the X-SQL-Queries header BENCH_MODE adds), worker memory, and the
fraction of the bare-view ceiling (/bench/bare/) measured on the same server.

    .venv/bin/python bench/load_bench.py [--duration 8] [--connections 16] [--products 10000]
        [--pages basket,add-to-basket,checkout] [--skip-load] [--threads 2]

``--skip-load`` reuses a PostgreSQL database an earlier run loaded. Each row also shows the
CPU the workers and PostgreSQL spent per request ("CPU ms"), which other work on a shared
machine disturbs much less than req/s, and the req/s those cores could serve at that cost.

Everything stays on 127.0.0.1 and is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from http_client import HOST, Browser, csrf_secret, free_port, guest_checkout, wait_for_server

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
READ_PAGES = ("home", "catalogue", "category", "product", "search", "story")
PAGES = READ_PAGES + ("basket", "add-to-basket", "checkout")
TARGETS = {
    "read": "read-only pages: >= 400 rps, p99 < 100 ms",
    "basket": "basket/add-to-basket: >= 150 rps",
    "checkout": "checkout (pay on pickup): >= 20 orders/s",
}


TOP_UP_STOCK = (
    "from oscar.core.loading import get_model; "
    "get_model('partner', 'StockRecord').objects.filter(product_id=%d)"
    ".update(num_in_stock=1_000_000)"
)


def redis_url():
    if os.environ.get("BENCH_REDIS_URL"):
        return os.environ["BENCH_REDIS_URL"]
    try:
        with socket.create_connection((HOST, 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return f"redis://{HOST}:6379/11"
    except OSError:
        pass
    return ""


def bench_env(workdir, port, threads):
    alphabet = string.ascii_letters + string.digits
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS=f"{HOST},localhost",
        BENCH_MODE="1",
        DATA_DIR=str(workdir),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
        QUEUED_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        GUNICORN_BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS=str(threads),
        GUNICORN_MAX_REQUESTS="0",
        PYTHONWARNINGS="ignore",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    env["REDIS_URL"] = redis_url()
    return env


def run(cmd, env, label):
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"{label} failed")
    print(f"{label}: {time.monotonic() - started:.0f} s")
    return result.stdout


# --- wrk --------------------------------------------------------------------------


def wrk(url, duration, connections, cookie=None, post_body=None, workdir=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if post_body is not None:
        script = Path(workdir) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(post_body)}\n"
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 30).stdout

    def number(pattern, default=0.0):
        found = re.search(pattern, out)
        return float(found.group(1)) if found else default

    def latency_ms(pct):
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    socket_errors = (
        sum(
            int(n)
            for n in re.findall(
                r"(?:connect|read|write|timeout) (\d+)", out.split("Socket errors:")[-1]
            )
        )
        if "Socket errors:" in out
        else 0
    )
    requests = number(r"(\d+) requests in")
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50": latency_ms(50),
        "p99": latency_ms(99),
        "errors": int(number(r"Non-2xx or 3xx responses: (\d+)") + socket_errors),
        "requests": int(requests),
    }


# --- the run ----------------------------------------------------------------------


def worker_rss_mb(master_pid):
    total = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            rss = re.search(r"VmRSS:\s+(\d+) kB", (proc / "status").read_text())
            total.append(int(rss.group(1)) / 1024)
        except (OSError, AttributeError, IndexError, ValueError):
            continue
    return total


def server_cpu(master_pid, db_name):
    """{pid: CPU seconds} of the gunicorn workers and of the PostgreSQL backends serving
    ``db_name``. Differences over a measurement give the CPU each request costs the whole
    server side, a figure other load on a shared machine disturbs far less than req/s."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            ours = int(stat[1]) == master_pid
            if not ours and db_name:
                cmdline = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
                ours = cmdline.startswith("postgres:") and f" {db_name} " in cmdline
            if ours:
                found[int(proc.name)] = (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return found


def client_cpu():
    """CPU seconds the load side spent: this process (the checkout buyers' threads) and
    the wrk runs that have finished. It shares the machine's cores with the server."""
    own = os.times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.user + own.system + children.ru_utime + children.ru_stime


def cpu_used(before, after):
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def discover(port):
    """Real URLs for each page, found the way a buyer would: by following links."""
    browser = Browser(port)
    catalogue = browser.get("/shop/catalogue/").text
    product = re.search(r'href="(/shop/catalogue/[^"/]+_\d+/)"', catalogue).group(1)
    category = re.search(r'href="(/shop/catalogue/category/[^"]+/)"', catalogue).group(1)
    add = re.search(
        r'action="(/shop/basket/add/(\d+)/)"[^>]*>\s*(?:<input[^>]+>\s*)*?'
        r'<input type="hidden" name="quantity" value="(\d+)"',
        catalogue,
    )
    home = browser.get("/").text
    story_index = re.search(r'href="([^"]+)">帮扶故事<', home).group(1)
    stories = browser.get(story_index).text
    story = re.search(rf'href="({re.escape(story_index)}[^"/?]+/)"', stories).group(1)
    pages = {
        "home": "/",
        "catalogue": "/shop/catalogue/",
        "category": category,
        "product": product,
        "search": "/search/?q=" + urllib.parse.quote("鸡蛋"),
        "story": story,
        "add_path": add.group(1),
        "add_product": int(add.group(2)),
        "add_quantity": add.group(3),
    }
    for name in ("home", "catalogue", "category", "product", "search", "story"):
        for _ in range(3):  # follow canonical redirects so wrk measures the page itself
            response = browser.get(pages[name])
            if response.status not in (301, 302):
                break
            pages[name] = (
                urllib.parse.urlsplit(response.location)._replace(scheme="", netloc="").geturl()
            )
        print(f"  {name}: {pages[name]} ({response.status})")
    return pages


def sql_count(port, path, cookies=None):
    return int(Browser(port, cookies).get(path).header("X-SQL-Queries") or -1)


def checkout_load(port, urls, duration, connections):
    """Guest buyers placing pay-on-pickup orders in parallel; returns orders/s and latencies."""
    stop = time.monotonic() + duration
    times, errors, sql, lock = [], [], [], threading.Lock()

    def one_order():
        b = Browser(port)
        started = time.monotonic()
        outcome = guest_checkout(b, urls["add_path"], urls["add_quantity"], thank_you=True)
        b.close()
        if outcome != "ordered":
            return None, outcome
        return (time.monotonic() - started, b.sql), None

    def worker():
        while time.monotonic() < stop:
            try:
                result, error = one_order()
            except Exception as exc:  # report, keep going
                result, error = None, exc.__class__.__name__
            with lock:
                if error:
                    errors.append(error)
                else:
                    times.append(result[0])
                    sql.append(result[1])

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(len(times) * p))] * 1000 if times else float("nan")

    return {
        "rps": len(times) / elapsed,
        "p50": pct(0.5),
        "p99": pct(0.99),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "sql": round(statistics.mean(sql)) if sql else 0,
        "requests": len(times),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=8, help="seconds per page (after 2 s warm-up)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="DATABASE_URL already holds the data set from an earlier run",
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help="comma-separated pages to measure (default: all): "
        + ", ".join(PAGES)
        + "; the bare view is always measured as the ceiling",
    )
    args = parser.parse_args()
    args.pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(
            f"unknown page(s): {', '.join(sorted(unknown))}; choose from {', '.join(PAGES)}"
        )
    if args.skip_load and "DATABASE_URL" not in os.environ:
        parser.error("--skip-load needs DATABASE_URL (the SQLite file of a run is temporary)")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="nongzhu-bench-"))
    port = free_port()
    env = bench_env(workdir, port, args.threads)
    db = env["DATABASE_URL"].split("://")[0]
    print(
        f"Bench: {db}, cache {'Redis' if env['REDIS_URL'] else 'per-process'}, port {port}, {workdir}"
    )
    if env["REDIS_URL"]:
        subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "flushdb"], capture_output=True)
    server = None
    try:
        if not args.skip_load:
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
            run(
                [
                    PYTHON,
                    "bench/dataset.py",
                    "--products",
                    str(args.products),
                    "--lines",
                    str(args.lines),
                    "--stories",
                    str(args.stories),
                ],
                env,
                "data set",
            )
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, "collectstatic")
        server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "shop.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "gunicorn.log", "w"),
        )
        try:
            wait_for_server(port, server)
        except SystemExit:
            raise SystemExit(
                "gunicorn did not start; see " + str(workdir / "gunicorn.log")
            ) from None
        db_name = (
            urllib.parse.urlsplit(env["DATABASE_URL"]).path.lstrip("/") if db == "postgres" else ""
        )
        report(port, server.pid, args, workdir, db_name, env)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if env["REDIS_URL"]:
            subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "flushdb"], capture_output=True)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def report(port, master_pid, args, workdir, db_name, env):
    base = f"http://{HOST}:{port}"
    urls = discover(port)
    rows = []
    memory = {}

    def measure(name, path, kind, cookie=None, post_body=None, sql=None):
        wrk(base + path, 2, args.connections, cookie, post_body, workdir)  # warm-up
        cpu_before = server_cpu(master_pid, db_name)
        client_before = client_cpu()
        result = wrk(base + path, args.duration, args.connections, cookie, post_body, workdir)
        cpu = cpu_used(cpu_before, server_cpu(master_pid, db_name))
        result.update(
            name=name,
            kind=kind,
            sql=sql if sql is not None else "",
            cpu_ms=cpu * 1000 / max(result["requests"], 1),
            client_ms=(client_cpu() - client_before) * 1000 / max(result["requests"], 1),
        )
        memory[name] = worker_rss_mb(master_pid)
        rows.append(result)
        print(f"  measured {name}: {result['rps']:.0f} rps")

    measure("bare view", "/bench/bare/", "ceiling", sql=sql_count(port, "/bench/bare/"))
    for name in (page for page in READ_PAGES if page in args.pages):
        path = urls[name]
        sep = "&" if "?" in path else "?"
        miss = sql_count(port, f"{path}{sep}bench={secrets.token_hex(4)}")
        sql_count(port, path)
        hit = sql_count(port, path)
        measure(name, path, "read", sql=f"{miss} / {hit}")

    secret = csrf_secret()
    if "basket" in args.pages:
        basket_buyer = Browser(port, {"csrftoken": secret})
        basket_buyer.post(urls["add_path"], {"quantity": urls["add_quantity"]})
        basket_buyer.cookies.pop("messages", None)
        sql_count(port, "/shop/basket/", basket_buyer.cookies)  # the first look warms caches
        measure(
            "basket",
            "/shop/basket/",
            "basket",
            cookie=basket_buyer.cookie_header(),
            sql=sql_count(port, "/shop/basket/", basket_buyer.cookies),
        )
    if "add-to-basket" in args.pages:
        adder = Browser(port, {"csrftoken": secret})
        adder.post(urls["add_path"], {"quantity": urls["add_quantity"]})
        measure(
            "add-to-basket",
            urls["add_path"],
            "basket",
            cookie=f"csrftoken={secret}",
            post_body=f"quantity={urls['add_quantity']}&csrfmiddlewaretoken={secret}",
            sql=adder.sql,
        )
    if "checkout" in args.pages:
        # Orders, not a sell-out, are measured here (bench/checkout_bench.py measures that):
        # the data set's random stock of this product would run out within a few seconds.
        run(
            [PYTHON, "manage.py", "shell", "-c", TOP_UP_STOCK % urls["add_product"]],
            env,
            "checkout: stock topped up",
        )
        cpu_before = server_cpu(master_pid, db_name)
        client_before = client_cpu()
        result = checkout_load(port, urls, args.duration + 2, args.connections)
        cpu = cpu_used(cpu_before, server_cpu(master_pid, db_name))
        result.update(
            name="checkout (orders)",
            kind="checkout",
            cpu_ms=cpu * 1000 / max(result["requests"], 1),
            client_ms=(client_cpu() - client_before) * 1000 / max(result["requests"], 1),
        )
        memory["checkout (orders)"] = worker_rss_mb(master_pid)
        rows.append(result)

    ceiling = rows[0]["rps"] or 1
    print()
    cores = os.cpu_count() or 1
    print(
        f"{args.connections} connections, 2 gunicorn workers x {args.threads} threads, "
        f"{args.duration} s per page after a 2 s warm-up; SQL = queries per request (miss / cached);"
    )
    print(
        f"CPU ms = CPU the workers and PostgreSQL spent per request (per order for checkout); "
        f"client = CPU the load side (wrk, or the checkout buyers) spent on the same cores; "
        f"cap/s = {cores} cores / CPU ms, what this machine could serve with nothing else running"
    )
    header = (
        f"{'page':<20}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'SQL':>11}"
        f"{'CPU ms':>8}{'client':>7}{'cap/s':>7}{'RSS MB':>14}{'of bare':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        rss = "+".join(f"{m:.0f}" for m in memory.get(row["name"], []))
        verdict = ""
        if row["kind"] == "read":
            ok = row["rps"] >= 400 and row["p99"] < 100 and row["errors"] == 0
            if row["name"] in ("catalogue", "category"):
                ok = ok and row["rps"] / ceiling >= 0.25
            verdict = "met" if ok else "MISSED"
        elif row["kind"] == "basket":
            verdict = "met" if row["rps"] >= 150 and row["errors"] == 0 else "MISSED"
        elif row["kind"] == "checkout":
            verdict = "met" if row["rps"] >= 20 and row["errors"] == 0 else "MISSED"
        print(
            f"{row['name']:<20}{row['rps']:>8.0f}{row['p50']:>9.1f}{row['p99']:>9.1f}"
            f"{row['errors']:>8}{str(row['sql'] if row['sql'] != '' else '')[:10]:>11}"
            f"{row['cpu_ms']:>8.1f}{row['client_ms']:>7.1f}"
            f"{cores * 1000 / max(row['cpu_ms'], 0.01):>7.0f}{rss:>14}"
            f"{row['rps'] / ceiling:>8.0%}  {verdict}"
        )
        if row.get("error_kinds"):
            print(f"{'':<20}errors: {', '.join(row['error_kinds'])}")
    print("Targets: " + "; ".join(TARGETS.values()) + "; zero errors; catalogue >= 25% of bare.")


if __name__ == "__main__":
    main()
