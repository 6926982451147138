"""gunicorn settings for the shop's app servers; every value can be set from the environment.

    gunicorn -c deploy/gunicorn.conf.py shop.wsgi

Workers are threaded (gthread): a thread waiting on PostgreSQL or Redis leaves
the CPU to the others, and each process holds one DB connection per thread.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Two threads per worker: one serves while the other waits on PostgreSQL or Redis. More
# only fight over the GIL: on the 2-core bench, 4 threads cost 10-15 % more CPU per
# request than 2 (checkout 157 against 137-141 ms per order, basket 16.9 against 15-16 ms).
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
backlog = 2048
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
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
        from catalogue.search_index import load_dictionaries

        load_dictionaries()
    gc.freeze()
