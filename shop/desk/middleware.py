"""Request-scoped helpers of the desk: the acting user, and the staff code check."""

from django.shortcuts import redirect
from django.urls import reverse

from shop.desk.audit import _current_user
from shop.desk.login_protection import PROTECTED_PREFIXES, needs_code


class CurrentUserMiddleware:
    """Makes the request's user available to the audit receivers (``audit.current_user``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _current_user.reset(token)


class StaffOTPMiddleware:
    """Sends a staff user who owns a confirmed TOTP device to the code page first.

    Must come after django_otp's ``OTPMiddleware``. Staff without a device pass
    through: the second factor is optional until they set one up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if any(path.startswith(p) or path.startswith("/en" + p) for p in PROTECTED_PREFIXES):
            verify_url = reverse("dashboard:desk-otp-verify")
            if (
                path != verify_url
                and not path.startswith(reverse("dashboard:login"))
                and needs_code(request.user)
            ):
                return redirect(f"{verify_url}?next={path}")
        return self.get_response(request)
