"""Sessions in the database, read through the cache (``shop.core.sessions``)."""

from django.contrib.sessions.backends import cached_db

from shop.core.sessions import KeysWithoutLookup


class SessionStore(KeysWithoutLookup, cached_db.SessionStore):
    pass
