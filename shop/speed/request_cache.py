"""Small shared-cache values that almost every request reads, fetched in one round trip.

Each request used to ask the shared cache (Redis in production) separately whether the
shop has offers, for the header's categories, for the delivery runs' generation…: a
round trip each, about 0.15 ms of CPU on the web server every time. Values registered
with ``read_with_every_request`` are fetched together with one ``get_many`` the first
time a request asks for any of them, and kept for the rest of that request. A request
that changes one of them (``remember``/``forget``) sees its own change.

Outside a request (management commands, workers, most tests) every ``get`` goes to the
cache as before.
"""

import pickle
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

_key_functions = []  # each returns the keys it wants for the current request
_local_state = []  # callables that forget what this process keeps (see clear_local)
_request = ContextVar("request_cache", default=None)


def read_with_every_request(key_function):
    """Register ``key_function() -> [keys]``; usable as a decorator."""
    _key_functions.append(key_function)
    return key_function


class _RequestValues:
    __slots__ = ("keys", "values")

    def __init__(self):
        self.keys = None  # not fetched yet
        self.values = {}

    def fetch(self):
        self.keys = {key for function in _key_functions for key in function()}
        self.values = cache.get_many(list(self.keys))


@contextmanager
def for_request():
    token = _request.set(_RequestValues())
    try:
        yield
    finally:
        _request.reset(token)


def get_many(keys):
    """``cache.get_many(keys)``, answered from the request's values where it can."""
    current = _request.get()
    if current is None:
        return cache.get_many(keys)
    if current.keys is None:
        current.fetch()
    found = {key: current.values[key] for key in keys if key in current.values}
    others = [key for key in keys if key not in current.keys]
    if others:
        found.update(cache.get_many(others))
    return found


def get(key, default=None):
    return get_many([key]).get(key, default)


def remember(key, value):
    """This request stored ``value`` at ``key``: later reads in it see the value."""
    current = _request.get()
    if current is not None and current.keys is not None and key in current.keys:
        if value is None:
            current.values.pop(key, None)
        else:
            current.values[key] = value


def forget(key):
    remember(key, None)


def set(key, value, timeout):
    """``cache.set``, and later reads in this request see the value."""
    cache.set(key, value, timeout)
    remember(key, value)


class LocalCopies:
    """Values this process read from the shared cache under keys whose value never changes
    (keys that name a generation, a thumbnail's file name and size), kept so the next
    request needs no round trip for them.

    Stored pickled, so every caller gets its own objects (threads share the process), for
    at most ``seconds`` (as long as the shared cache keeps them), ``max_entries`` at most.
    """

    def __init__(self, max_entries=64):
        self.max_entries = max_entries
        self._kept = {}
        keeps_local_state(self.clear)

    def clear(self):
        self._kept.clear()

    def get(self, key):
        kept = self._kept.get(key)
        if kept is None or kept[1] <= time.monotonic():
            return None
        return pickle.loads(kept[0])

    def put(self, key, value, seconds):
        if len(self._kept) >= self.max_entries:
            self._kept.clear()
        self._kept[key] = (pickle.dumps(value), time.monotonic() + seconds)

    def get_or_read(self, key, read, seconds, after_commit=False):
        """The value at ``key`` from this process, else from the shared cache, else
        ``read()`` and stored in both for ``seconds``. With ``after_commit`` what was
        read goes to the shared cache only when the transaction commits (a row read or
        made in it may yet roll back), and to this process once it comes from there."""
        found = self.get(key)
        if found is not None:
            return found
        found = cache.get(key)
        if found is None:
            found = read()
            if after_commit:
                transaction.on_commit(lambda: cache.set(key, found, seconds))
                return found
            cache.set(key, found, seconds)
        self.put(key, found, seconds)
        return found


def keeps_local_state(forget):
    """Register ``forget()``, which drops something this process keeps between requests."""
    _local_state.append(forget)
    return forget


def clear_local():
    """Forget everything this process keeps between requests, as a fresh process would
    (tests start each case this way, together with an empty cache)."""
    for forget in _local_state:
        forget()
