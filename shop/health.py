"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

``/healthz/`` (liveness) says the process answers; it touches nothing else, so
a database outage does not make the orchestrator restart healthy app servers.
``/readyz/`` (readiness) checks the database and the cache; the load balancer
takes a server out of rotation while it answers 503. ``/metrics`` is
django-prometheus' exporter, open only to requests carrying
``Authorization: Bearer <METRICS_TOKEN>``; with no token set it answers only a
browser on the developer's own machine with DEBUG on, so production never serves
it without the token, whatever the proxy in front lets through.
"""

import hmac
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache

from shop import security


def check_database(alias="default"):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("cache did not return what was written")


CHECKS = {"database": check_database, "cache": check_cache}


@never_cache
def liveness(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readiness(request):
    report, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; say which and why
            healthy = False
            report[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            report[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503
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
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)


def bench_bare(request):
    """BENCH_MODE only: the smallest Django response, the ceiling pages are measured against."""
    return HttpResponse(b"ok", content_type="text/plain")
