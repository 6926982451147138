"""Who is acting right now, for the audit log.

``CurrentUserMiddleware`` stores the request's user in a context variable for
the length of the request; receivers read it with ``current_user()``. A
context variable (not a thread local) keeps async views and Celery tasks apart.
"""

import contextvars
from contextlib import contextmanager

_current_user = contextvars.ContextVar("desk_current_user", default=None)


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
