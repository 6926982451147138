"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

``/healthz/`` (liveness) says the process answers; it touches nothing else, so
a database outage does not make the orchestrator restart healthy app servers.
``/readyz/`` (readiness) checks the database and the cache; the load balancer
takes a server out of rotation while it answers 503. ``/metrics`` is
django-prometheus' exporter, open only to ``METRICS_ALLOWED_IPS`` or to
requests carrying ``Authorization: Bearer <METRICS_TOKEN>``.
"""

import hmac
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache


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


def _client_ip(request):
    # Behind nginx, REMOTE_ADDR is the proxy; deploy/nginx.conf only lets the
    # proxy's own network reach /metrics, so REMOTE_ADDR is what we check.
    return request.META.get("REMOTE_ADDR", "")


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    return _client_ip(request) in settings.METRICS_ALLOWED_IPS


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)


def bench_bare(request):
    """BENCH_MODE only: the smallest Django response, the ceiling pages are measured against."""
    return HttpResponse(b"ok", content_type="text/plain")
