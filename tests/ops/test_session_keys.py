"""A new session (every guest checkout, every sign-in) is one insert: its key is not looked
up first; a key already in use is refused by the insert and another is drawn."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.core import sessions
from shop.core.sessions import cached_db, db


@pytest.mark.parametrize("store_class", [db.SessionStore, cached_db.SessionStore])
@pytest.mark.django_db
def test_a_new_session_is_written_without_looking_its_key_up(store_class):
    store = store_class()
    store["checkout_order_id"] = 7
    with CaptureQueriesContext(connection) as queries:
        store.save()
    session_queries = [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert len(session_queries) == 1 and session_queries[0].startswith("INSERT")
    assert store_class(store.session_key)["checkout_order_id"] == 7


@pytest.mark.parametrize("store_class", [db.SessionStore, cached_db.SessionStore])
@pytest.mark.django_db
def test_a_key_already_in_use_is_refused_and_another_drawn(store_class, monkeypatch):
    someone = store_class()
    someone["basket"] = "hers"
    someone.save()
    keys = iter([someone.session_key, "k" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))

    mine = store_class()
    mine["basket"] = "mine"
    mine.save()

    assert mine.session_key == "k" * 32
    assert store_class(someone.session_key)["basket"] == "hers"
    assert Session.objects.count() == 2
