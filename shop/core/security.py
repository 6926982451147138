"""Who is asking, and what the browser may do with the answer.

``client_ip`` is the one place that says which address a request came from. Behind
the documented nginx every request reaches gunicorn from 127.0.0.1, so the address
must come from ``X-Forwarded-For``, but only the part that trusted proxies
(``TRUSTED_PROXIES``) wrote: anyone can send that header, so it counts only when the
request came through such a proxy, and then the nearest address no trusted proxy
owns is the client. Login protection (``AXES_CLIENT_IP_CALLABLE``) and ``/metrics``
use it.

The two middlewares below set the headers that tell the browser what a page may load
and do (Content-Security-Policy, Permissions-Policy) and keep personal pages out of
every cache; their settings live in shop/settings/base.py.
"""

import ipaddress
from functools import lru_cache

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.utils.cache import patch_cache_control


@lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address):
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address of the browser, as far as trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(_address(remote)):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Each proxy appends the address it saw; read from the nearest one outwards and stop
    # at the first address that no trusted proxy owns: everything left of it is hearsay.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        remote = str(address)
        if not _is_trusted_proxy(address):
            break
    return remote


def is_loopback(request):
    address = _address(client_ip(request))
    return address is not None and address.is_loopback


def _without_language_prefix(path):
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and path.startswith(f"/{code}/"):
            return path[len(code) + 1 :]
    return path


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with a policy per area of the site.

    The shop and the team pages get ``CONTENT_SECURITY_POLICY`` (scripts only from the
    site itself or carrying the request's nonce, no inline styles); the areas listed in
    ``CONTENT_SECURITY_POLICY_AREAS`` (Oscar's dashboard with TinyMCE, Wagtail's editor,
    Django's admin) get their own. Photos may also come from ``MEDIA_ORIGINS`` (the
    bucket or its CDN in production).
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None:
            path = _without_language_prefix(request.path_info)
            if getattr(request, "is_preview", False):
                # Wagtail renders a preview through the middleware again, on a request for
                # the page's own address; it shows inside the editor's frame, so it takes
                # the editor's policy (this site may frame it).
                path = "/cms/"
            for prefixes, directives in settings.CONTENT_SECURITY_POLICY_AREAS.items():
                if path.startswith(prefixes):
                    parts.config = default_config(directives)
                    break
        origins = list(getattr(settings, "MEDIA_ORIGINS", ()))
        if origins:
            parts.update = {**(parts.update or {}), "img-src": origins, "media-src": origins}
        return parts


class BrowserPolicyMiddleware:
    """``Permissions-Policy`` on every answer; ``Cache-Control: private, no-store`` on
    personal pages (``PRIVATE_PATH_PREFIXES``: account, basket, checkout, team pages,
    dashboard with its packing lists and exports), so neither a shared proxy nor the
    browser's back button hands one person's orders or addresses to the next.
    Public pages keep whatever caching they had."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        if is_private_path(request.path_info):
            patch_cache_control(response, private=True, no_store=True)
        return response


def is_private_path(path):
    return _without_language_prefix(path).startswith(tuple(settings.PRIVATE_PATH_PREFIXES))
