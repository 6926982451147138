"""Who is acting right now, for the audit log.

``CurrentUserMiddleware`` stores the request's user in a context variable for
the length of the request; receivers read it with ``current_user()``. A
context variable (not a thread local) keeps async views and Celery tasks apart.
``noting(note)`` adds the person's reason ("鸡蛋涨价") to the entries written inside it.
"""

import contextvars
from contextlib import contextmanager

_current_user = contextvars.ContextVar("desk_current_user", default=None)
_current_note = contextvars.ContextVar("desk_current_note", default="")


def current_user():
    user = _current_user.get()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


@contextmanager
def acting_as(user):
    token = _current_user.set(user)
    try:
        yield
    finally:
        _current_user.reset(token)


def current_note():
    return _current_note.get()


@contextmanager
def noting(note):
    """Entries written inside carry ``note`` (cut to the column's 200 characters)."""
    token = _current_note.set((note or "")[:200])
    try:
        yield
    finally:
        _current_note.reset(token)
