"""Sessions in the database (``shop.core.sessions``)."""

from django.contrib.sessions.backends import db

from shop.core.sessions import KeysWithoutLookup


class SessionStore(KeysWithoutLookup, db.SessionStore):
    pass
