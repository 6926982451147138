"""Signals the content app sends; other apps listen without the content app knowing them."""

from django.dispatch import Signal

# A published story was brought up to date by the worker (``content.tasks.refresh_story``),
# after the editor's publish committed. Sent with ``page_id``; the site search writes the
# story's document on it (``shop.search.receivers``).
story_refreshed = Signal()
