"""Reads to the PostgreSQL replica, writes to the primary (DATABASE_REPLICA_URL).

Only listed in ``DATABASE_ROUTERS`` when a replica is configured. Reads go to the primary
instead of the replica:

* inside a transaction (checkout, dashboard edits): Django pins a transaction to the
  connection it started on;
* while something pins the primary (``primary_reads()``): every checkout request, every
  background task (``shop/celery.py``), and a buyer's requests for ``READ_YOUR_WRITES_SECONDS``
  after she changed something (``PrimaryReadsMiddleware``), so her order list shows the
  order she has just placed while the replica catches up;
* for sessions, which a buyer writes on one request and reads on the next;
* while the replica is unreachable: the first failed connection marks it down for
  ``REPLICA_RETRY_SECONDS`` in this process, and reads go to the primary until then.

Anything else that must read its own write outside a transaction should use
``.using("default")``.
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY_ONLY_APPS = {"sessions"}
# The cookie that pins a buyer's reads to the primary after a write; it holds nothing but
# the time it was set and lives for READ_YOUR_WRITES_SECONDS.
PRIMARY_COOKIE = "primary_reads"

_pinned = contextvars.ContextVar("primary_reads", default=0)


def pin_primary():
    """Pin reads to the primary until ``unpin`` gets the returned token back."""
    return _pinned.set(_pinned.get() + 1)


def unpin(token):
    _pinned.reset(token)


@contextlib.contextmanager
def primary_reads():
    token = pin_primary()
    try:
        yield
    finally:
        unpin(token)


def reads_pinned():
    return _pinned.get() > 0


class ReplicaHealth:
    """Whether this process may send reads to the replica. Checked on the first read of a
    request (Django's ``CONN_HEALTH_CHECKS`` ping once per request on a kept connection, a
    connect otherwise); a failure is remembered for a few seconds, so a stopped replica costs
    one refused connection per process per pause, not one per query."""

    def __init__(self):
        self.down_until = 0.0

    def is_down(self):
        return time.monotonic() < self.down_until

    def mark_down(self, error=None):
        was_down = self.is_down()
        self.down_until = time.monotonic() + getattr(settings, "REPLICA_RETRY_SECONDS", 5)
        if not was_down:
            logger.warning("Replica unreachable (%s); reading from the primary", error)

    def usable(self, alias="replica"):
        if self.is_down():
            return False
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            with contextlib.suppress(DatabaseError):
                connection.close()
            self.mark_down(error)
            return False
        return True

    def reset(self):
        self.down_until = 0.0


replica_health = ReplicaHealth()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            model._meta.app_label in PRIMARY_ONLY_APPS
            or reads_pinned()
            or connections["default"].in_atomic_block
            or not replica_health.usable()
        ):
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


# Requests under these URL namespaces read only the primary: placing an order must see
# the stock, the runs' room and the basket as they are now.
PRIMARY_NAMESPACES = {"checkout", "basket", "payment"}


class PrimaryReadsMiddleware:
    """Read-your-writes. A request that may write (any method but GET/HEAD/OPTIONS) pins
    the primary and sets a short-lived cookie; the same browser's requests carrying it read
    the primary until it expires (``READ_YOUR_WRITES_SECONDS``, longer than the replica's
    usual lag). The checkout's requests always read the primary."""

    SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in self.SAFE_METHODS
        token = pin_primary() if writes or PRIMARY_COOKIE in request.COOKIES else None
        try:
            response = self.get_response(request)
        finally:
            # Undo in the reverse order: the view's pin (process_view), then this one.
            view_token = request.__dict__.pop("_primary_reads_token", None)
            if view_token is not None:
                unpin(view_token)
            if token is not None:
                unpin(token)
        if writes and response.status_code < 400:
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=getattr(settings, "READ_YOUR_WRITES_SECONDS", 10),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        namespaces = set(getattr(request.resolver_match, "namespaces", ()) or ())
        if namespaces & PRIMARY_NAMESPACES:
            request._primary_reads_token = pin_primary()
        return None
