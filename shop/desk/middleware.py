"""Request-scoped helper of the desk: the staff code check. (The acting user for the audit
log is named by django-auditlog's own middleware.)"""

from django.shortcuts import redirect
from django.urls import reverse

from shop.desk.login_protection import PROTECTED_PREFIXES, needs_code


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
