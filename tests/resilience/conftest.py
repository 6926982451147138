"""Lost and hung services, simulated on loopback: a Redis address where nothing listens, a
socket that accepts connections and never answers, and a read replica that is stopped (a
PostgreSQL address where nothing listens) or lagging (a copy of the primary taken before
the rows a test then writes)."""

import contextlib
import socket
import sqlite3
import threading

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from shop.core import db_router, redis_breaker
from shop.settings.base import REDIS_SESSION_ENGINE, redis_cache


def closed_port():
    """A loopback port nothing listens on (bound once, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HungServer:
    """Accepts connections and never answers: a Redis that hangs. Counts what reached it."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def close(self):
        self.running = False
        self.thread.join(2)
        for conn in self.connections:
            conn.close()
        self.listener.close()


def use_redis(settings, url):
    """The shop's own Redis configuration (settings/base.py), pointed at ``url``."""
    settings.CACHES = {"default": redis_cache(url)}
    settings.SESSION_ENGINE = REDIS_SESSION_ENGINE


@pytest.fixture
def redis_down(settings):
    redis_breaker.reset_all()
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")
    yield
    redis_breaker.reset_all()


@pytest.fixture
def hung_redis():
    server = HungServer()
    yield server
    server.close()


@pytest.fixture
def redis_hung(settings, hung_redis):
    redis_breaker.reset_all()
    use_redis(settings, f"redis://127.0.0.1:{hung_redis.port}/0")
    yield hung_redis
    redis_breaker.reset_all()


def with_replica(settings, monkeypatch, blocker, replica):
    """Add the ``replica`` alias and route as production does with DATABASE_REPLICA_URL.

    Django's test cases refuse connections to aliases they did not know at set-up, which
    a replica added during the test is not; this one is let through (pytest-django keeps
    the unpatched method)."""
    guarded = BaseDatabaseWrapper.ensure_connection
    real = blocker._real_ensure_connection

    def ensure_connection(self, *args, **kwargs):
        if self.alias == "replica":
            return real(self, *args, **kwargs)
        return guarded(self, *args, **kwargs)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
    connections.settings["replica"] = replica
    settings.DATABASE_ROUTERS = ["shop.core.db_router.PrimaryReplicaRouter"]
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:2],
        "shop.core.db_router.PrimaryReadsMiddleware",
        *settings.MIDDLEWARE[2:],
    ]
    db_router.replica_health.reset()


def drop_replica():
    with contextlib.suppress(Exception):
        connections["replica"].close()
    with contextlib.suppress(AttributeError):
        delattr(connections._connections, "replica")
    connections.settings.pop("replica", None)
    db_router.replica_health.reset()


@pytest.fixture
def stopped_replica(db, settings, monkeypatch, django_db_blocker):
    """A replica that is not running: PostgreSQL at an address where nothing listens."""
    replica = dict(connections.settings["default"])
    replica.update(
        ENGINE="django.db.backends.postgresql",
        NAME="nongzhu",
        USER="postgres",
        PASSWORD="",
        HOST="127.0.0.1",
        PORT=str(closed_port()),
        OPTIONS={"connect_timeout": 1},
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=True,
    )
    with_replica(settings, monkeypatch, django_db_blocker, replica)
    yield
    drop_replica()


@pytest.fixture
def lagging_replica(db, settings, monkeypatch, django_db_blocker, tmp_path):
    """A replica that stopped replaying now: a copy of the primary as it is when this
    fixture is set up (list it after the fixtures whose rows it should hold). Rows written
    later are on the primary only, as on a replica that lags."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("the lagging replica is a copy of the SQLite test database")
    path = tmp_path / "replica.sqlite3"
    connections["default"].ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as target:
        connections["default"].connection.backup(target)
    replica = dict(connections.settings["default"])
    replica.update(NAME=str(path), OPTIONS={}, TEST={"NAME": str(path)})
    with_replica(settings, monkeypatch, django_db_blocker, replica)
    yield
    drop_replica()
