"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

``/healthz/`` (liveness) says the process answers; it touches nothing else, so
a database outage does not make the orchestrator restart healthy app servers.
``/readyz/`` (readiness) checks the primary database, the replica, the cache and the
broker at once and answers within a second whatever is down; the load balancer takes a
server out of rotation only while it answers 503, which is when the primary is down.
``/metrics`` is django-prometheus' exporter, open only to requests carrying
``Authorization: Bearer <METRICS_TOKEN>``; with no token set it answers only a browser on
the developer's own machine with DEBUG on, so production never serves it without the
token, whatever the proxy in front lets through.
"""

import hmac
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView
from kombu import Connection

from shop.core import db_router, redis_breaker, security

# /readyz answers within this many seconds whatever is down: a check still running then
# counts as failed (and is not started again while it hangs).
READYZ_BUDGET = 0.8


class Degraded(Exception):
    """The part answers badly or not at all, and the shop works around it."""


def check_database(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections[alias].close()  # the check's own thread: leave no connection behind


def check_replica():
    if "replica" not in connections:
        return "none configured"
    try:
        check_database("replica")
    except Exception as error:
        db_router.replica_health.mark_down(error)
        raise Degraded(error.__class__.__name__) from error
    if db_router.replica_health.is_down():
        return "reads go to the primary for a few seconds more"
    return None


def check_cache():
    if redis_breaker.open_breakers():
        raise Degraded("skipped after a failure (breaker open)")
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise Degraded("cache did not return what was written")


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "none: tasks run in-process"

    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=READYZ_BUDGET / 2,
            transport_options={"socket_timeout": READYZ_BUDGET / 2},
        ) as broker:
            broker.ensure_connection(max_retries=0, timeout=READYZ_BUDGET / 2)
    except Exception as error:
        raise Degraded(error.__class__.__name__) from error
    return None


# The primary database is what readiness is about; the others only degrade the shop:
# without the replica reads go to the primary, without the cache pages are made fresh and
# sessions read from the database, without the broker e-mails are sent in the request.
CHECKS = {
    "database": check_database,
    "replica": check_replica,
    "cache": check_cache,
    "broker": check_broker,
}
FAILING = {"database": "down"}
_running = {}


def _run_check(name, check, results):
    started = time.monotonic()
    try:
        detail = check()
    except Exception as error:
        results[name] = {
            "status": FAILING.get(name, "degraded"),
            "error": str(error) if isinstance(error, Degraded) else error.__class__.__name__,
        }
    else:
        results[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
        if detail:
            results[name]["detail"] = detail


def run_checks(budget=READYZ_BUDGET):
    """Every check at once, each in its own thread, for at most ``budget`` seconds."""
    results, threads = {}, {}
    for name, check in CHECKS.items():
        if name in _running and _running[name].is_alive():
            continue  # still hanging from an earlier call: do not pile up threads
        thread = threading.Thread(
            target=_run_check, args=(name, check, results), name=f"readyz-{name}", daemon=True
        )
        thread.start()
        threads[name] = _running[name] = thread
    deadline = time.monotonic() + budget
    for thread in threads.values():
        thread.join(max(0.0, deadline - time.monotonic()))
    report = {}
    for name in CHECKS:
        report[name] = results.get(name) or {
            "status": FAILING.get(name, "degraded"),
            "error": f"no answer within {budget:.1f} s",
        }
    return report


@never_cache
def liveness(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readiness(request):
    """200 while the primary database answers, whatever else is down; the body says which
    part is degraded. 503 only when the primary is down."""
    report = run_checks()
    if report["database"]["status"] != "ok":
        status = "down"
    elif any(check["status"] != "ok" for check in report.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": report}, status=503 if status == "down" else 200
    )


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    return settings.DEBUG and security.is_loopback(request)


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")

    return ExportToDjangoView(request)


def bench_bare(request):
    """BENCH_MODE only: the smallest Django response, the ceiling pages are measured against."""
    return HttpResponse(b"ok", content_type="text/plain")
