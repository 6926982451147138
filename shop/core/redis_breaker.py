"""A django-redis client that stops asking a Redis that is down or hung.

Every cache call of a request used to wait its socket timeout on a hung Redis (42-68 s for a
catalogue page). With ``BreakerClient`` the first call that fails (refused, timed out) opens
a per-process breaker for ``BREAKER_SECONDS`` (cache ``OPTIONS``, 10 s by default): until it
closes, every call fails at once without touching the network, and django-redis'
``IGNORE_EXCEPTIONS`` turns that into a cache miss. So a request pays at most one short
timeout (``SOCKET_TIMEOUT``, 0.25 s in the settings), then the shop runs without its cache:
pages are rendered fresh, sessions come from the database (``cached_db``). After the pause
the next call tries Redis again; if it answers, the breaker stays closed.

The breaker is shared by every cache on the same Redis address in the process (the page
cache and the renditions cache are one server) and between a worker's threads.
"""

import functools
import logging
import threading
import time

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DEFAULT_BREAKER_SECONDS = 10.0


class Breaker:
    """Remembers, per process, until when a Redis server is not to be asked."""

    def __init__(self, name, seconds):
        self.name = name
        self.seconds = seconds
        self.open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self):
        return time.monotonic() < self.open_until

    def trip(self, error):
        with self._lock:
            was_open = self.is_open()
            self.open_until = time.monotonic() + self.seconds
        if not was_open:
            logger.warning(
                "Redis %s failed (%s); the cache is skipped for %s s",
                self.name,
                error,
                self.seconds,
            )

    def reset(self):
        self.open_until = 0.0


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(server, seconds=DEFAULT_BREAKER_SECONDS):
    """The one breaker of this process for the Redis at ``server`` (its URL or URLs)."""
    name = ",".join(server) if isinstance(server, list | tuple) else str(server)
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = Breaker(name, seconds)
        return _breakers[name]


def open_breakers():
    """The Redis addresses this process is skipping now (for /readyz)."""
    return [breaker.name for breaker in _breakers.values() if breaker.is_open()]


def reset_all():
    for breaker in _breakers.values():
        breaker.reset()


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        breaker = self.breaker
        if breaker.is_open():
            refused = RedisConnectionError(f"cache breaker open for {breaker.name}")
            raise ConnectionInterrupted(connection=None) from refused
        try:
            return method(self, *args, **kwargs)
        except ConnectionInterrupted as error:
            breaker.trip(error.__cause__ or error)
            raise
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            # The few client methods that let redis-py's errors through unwrapped.
            breaker.trip(error)
            raise ConnectionInterrupted(connection=None) from error

    return call


# The client methods the cache backend calls; each goes through the breaker.
GUARDED_METHODS = (
    "set",
    "add",
    "get",
    "get_many",
    "set_many",
    "delete",
    "delete_many",
    "delete_pattern",
    "clear",
    "incr",
    "decr",
    "incr_version",
    "has_key",
    "touch",
    "ttl",
    "pttl",
    "expire",
    "expire_at",
    "pexpire",
    "pexpire_at",
    "persist",
    "keys",
    "iter_keys",
    "lock",
)


class BreakerClient(DefaultClient):
    """django-redis' default client with a breaker in front of every command."""

    def __init__(self, server, params, backend):
        super().__init__(server, params, backend)
        seconds = float(params.get("OPTIONS", {}).get("BREAKER_SECONDS", DEFAULT_BREAKER_SECONDS))
        self.breaker = breaker_for(self._server, seconds)


for _name in GUARDED_METHODS:
    setattr(BreakerClient, _name, _guarded(getattr(DefaultClient, _name)))
