"""The waitlist's background work, for Celery's autodiscovery: ``tell_waiting_buyers``
lives in ``shop.waitlist.wake`` beside the telling it does (named
``shop.waitlist.tasks.tell_waiting_buyers``, as before)."""

from shop.waitlist.wake import tell_waiting_buyers  # noqa: F401
