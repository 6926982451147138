"""Login protection: who counts as a desk user, short sessions, one-time codes.

Lockout itself is django-axes (settings ``AXES_*``); this module tells it which
username a login form posted (Oscar's login form prefixes its fields with
``login-``), in one spelling however it was typed, and gives dashboard and CMS
users a session of one working day.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device

# Paths where a staff user with a one-time-code device must have entered a code.
PROTECTED_PREFIXES = ("/shop/dashboard/", "/shop/team/", "/cms/", "/django-admin/")


def normalise_username(value):
    """One spelling per login name, so ``' Buyer@Example.CN '`` shares the lockout counter
    of ``buyer@example.cn`` (Oscar's e-mail login ignores case and surrounding spaces)."""
    return (value.strip().lower() or None) if isinstance(value, str) else None


def username_from_request(request, credentials=None):
    """The login name axes counts failures against (``AXES_USERNAME_CALLABLE``)."""
    if credentials and credentials.get("username"):
        return normalise_username(credentials["username"])
    data = request.POST if request.method == "POST" else {}
    return normalise_username(
        data.get("username") or data.get("login-username") or data.get("email")
    )


def is_desk_user(user):
    """Staff, team members and editors: people who change what buyers see."""
    return (
        user.is_staff
        or user.has_perm("partner.dashboard_access")
        or user.has_perm("wagtailadmin.access_admin")
    )


def needs_code(user):
    """A staff user who set up a TOTP device but has not entered a code in this session."""
    if not (user.is_authenticated and user.is_staff):
        return False

    return user_has_device(user, confirmed=True) and not user.is_verified()


@receiver(user_logged_in, dispatch_uid="desk-short-sessions")
def shorten_desk_sessions(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and is_desk_user(user):
        request.session.set_expiry(settings.DESK_STAFF_SESSION_AGE)
