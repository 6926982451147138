"""gunicorn settings for the shop's app servers; every value can be set from the environment.

    gunicorn -c deploy/gunicorn.conf.py shop.wsgi

Workers are threaded (gthread): a thread waiting on PostgreSQL or Redis leaves
the CPU to the others, and each process holds one DB connection per thread.
"""

import ctypes
import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Two threads per worker: one serves while the other waits on PostgreSQL or Redis. More
# only fight over the GIL: on the 2-core bench, 4 threads cost 10-15 % more CPU per
# request than 2 (checkout 157 against 137-141 ms per order, basket 16.9 against 15-16 ms).
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
backlog = 2048
# `timeout` only restarts a worker whose main loop stops answering the master; a gthread
# worker's main loop keeps answering while one of its threads waits for ever on a request.
# Requests get their own limit, `request_timeout` below.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# A request still running after this many seconds has its stack logged, and its worker stops
# taking new connections, lets its other requests finish (graceful_timeout) and exits; the
# master starts a fresh one. Python cannot interrupt a thread blocked in a socket call, so
# ending the process is the only way to free it. Every call the shop makes has its own,
# shorter, limit (Redis 0.25 s and a breaker, PostgreSQL connect 3 s, SMTP 20 s in the
# worker, route planning in the worker); this catches what still hangs. nginx answers the
# buyer with a 504 after proxy_read_timeout (35 s, deploy/nginx.conf).
request_timeout = float(os.environ.get("GUNICORN_REQUEST_TIMEOUT", "30"))
# Close each connection after its response, so the next request goes to whichever worker
# is free. A kept-alive connection stays with the worker that accepted it: with 16 of them
# split unevenly between 2 workers, one worker idled while the other queued (basket page
# 63-150 req/s from run to run; 145-155 with connections closed). The proxy in front
# (deploy/nginx.conf) keeps its own connections to the buyers' phones alive.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "nongzhu-shop"


def child_exit(server, worker):
    # django-prometheus multi-process mode: drop the dead worker's live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def pre_fork(server, worker):
    # The app is loaded once in the master (preload_app), with the search dictionaries.
    # Freezing what it allocated keeps those objects out of every later garbage collection
    # in the workers: full collections then walk only what requests created, so they no
    # longer pause a worker for tens of milliseconds (p99 of the cached pages fell from
    # 160-250 ms to under 50 ms in make bench), and the pages stay shared between workers.
    import gc

    if preload_app:
        from shop.search.segmenter import load_dictionaries

        load_dictionaries()
        load_url_map()
    return_free_heap()
    gc.freeze()


def return_free_heap():
    """Give the kernel back the master's free heap pages before a worker is forked.

    Loading the app frees a lot (module source and bytecode read, parsed and dropped), and
    glibc keeps freed memory inside its heap: every worker was forked with those pages in
    its RSS. ``malloc_trim(0)`` releases every whole free page, wherever it lies in the
    heap; nothing in use moves. Worker RSS at rest fell from 170-181 to 166-167 MB in the
    bench's gunicorn (issue 23). Not glibc (musl, macOS): nothing to trim."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def load_url_map():
    """Import every URLconf and view module in the master, once, before the first fork.

    Django imports them on a process's first request; in each worker that is after the fork,
    so every worker held its own copy of the same modules (views, forms, the CMS admin and
    the Redis client). Loaded here, the workers share the master's pages instead. Builds the
    reverse map only: no database, cache or network access."""
    from django.urls import get_resolver, reverse

    reverse("healthz")
    get_resolver().url_patterns  # noqa: B018 -- imports every included URLconf


# --- the request time limit for threaded workers --------------------------------------

_in_flight = {}  # thread id -> (started, method, path) of the request that thread serves


def pre_request(worker, req):
    _in_flight[threading.get_ident()] = (time.monotonic(), req.method, req.path)


def post_request(worker, req, environ, resp):
    _in_flight.pop(threading.get_ident(), None)


def overdue_requests(now=None):
    """(thread id, seconds running, method, path) of requests past ``request_timeout``."""
    now = time.monotonic() if now is None else now
    return [
        (ident, now - started, method, path)
        for ident, (started, method, path) in list(_in_flight.items())
        if now - started > request_timeout
    ]


def end_overdue_worker(worker, overdue):
    """Log each overdue request with where it is stuck, then end the worker gracefully;
    if a stuck thread keeps the process alive past graceful_timeout, end it outright."""
    log = logging.getLogger("gunicorn.error")
    frames = sys._current_frames()
    for ident, seconds, method, path in overdue:
        stack = "".join(traceback.format_stack(frames[ident])) if ident in frames else ""
        log.error(
            "Request %s %s still running after %.0f s; restarting worker %s\n%s",
            method,
            path,
            seconds,
            worker.pid,
            stack,
        )
    worker.alive = False  # what SIGTERM does: stop accepting, finish the others, exit


def _watch_requests(worker):
    while True:
        time.sleep(1)
        overdue = overdue_requests()
        if overdue and worker.alive:
            end_overdue_worker(worker, overdue)
            time.sleep(graceful_timeout + 1)
            os._exit(1)  # still here: a thread that never returns holds the process


def post_worker_init(worker):
    if worker_class == "gthread" and request_timeout > 0:
        threading.Thread(target=_watch_requests, args=(worker,), daemon=True).start()
