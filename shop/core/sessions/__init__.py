"""The shop's session stores: Django's, drawing a new session key without looking it up.

Django looks a new key up before using it (``exists``: with ``cached_db`` a Redis read and a
database query, with ``db`` the query), although the key is 32 random letters and digits
and the new row is inserted with ``must_create``, which refuses a key already in use
(``CreateError``; Django then draws another). A session is made at every guest checkout
and every sign-in. ``SESSION_ENGINE`` names ``shop.core.sessions.cached_db`` (with Redis)
or ``shop.core.sessions.db`` (without).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class KeysWithoutLookup:
    def _get_new_session_key(self):
        # The insert with must_create is the check: a key in use raises CreateError there.
        return get_random_string(32, VALID_KEY_CHARS)
