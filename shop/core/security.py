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
from dataclasses import asdict
from functools import lru_cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy, default_config
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# What may set a response's policy itself (django-csp's decorators); such a response, a
# report-only policy and DEBUG (its error pages) go through django-csp's own path.
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_NONCE = "\x00nonce\x00"  # stands for the request's nonce in a kept policy
_built = {}  # (area, with a nonce) -> the header, with _NONCE for the nonce


@receiver(setting_changed)
def _forget_built_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting in ("MEDIA_ORIGINS", "DEBUG"):
        _built.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with a policy per area of the site.

    The shop and the team pages get ``CONTENT_SECURITY_POLICY`` (scripts only from the
    site itself or carrying the request's nonce, no inline styles); the areas listed in
    ``CONTENT_SECURITY_POLICY_AREAS`` (Oscar's dashboard with TinyMCE, Wagtail's editor,
    Django's admin) get their own. Photos may also come from ``MEDIA_ORIGINS`` (the
    bucket or its CDN in production).

    Each area's header is built once per process (with and without a nonce) and the
    request's nonce written into it: django-csp builds it again for every answer, which
    was about 4 % of the workers' time under the bench's mixed load (issue 23).
    """

    def _area(self, request):
        """The key in ``CONTENT_SECURITY_POLICY_AREAS`` of the area ``request`` is in, or
        ``None`` for the shop's own policy."""
        path = _without_language_prefix(request.path_info)
        if getattr(request, "is_preview", False):
            # Wagtail renders a preview through the middleware again, on a request for
            # the page's own address; it shows inside the editor's frame, so it takes
            # the editor's policy (this site may frame it).
            path = "/cms/"
        return next((p for p in settings.CONTENT_SECURITY_POLICY_AREAS if path.startswith(p)), None)

    @staticmethod
    def _area_config(area):
        return (
            None if area is None else default_config(settings.CONTENT_SECURITY_POLICY_AREAS[area])
        )

    @staticmethod
    def _media_sources():
        origins = list(getattr(settings, "MEDIA_ORIGINS", ()))
        return {"img-src": origins, "media-src": origins} if origins else None

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None:
            parts.config = self._area_config(self._area(request))
        media = self._media_sources()
        if media:
            parts.update = {**(parts.update or {}), **media}
        return parts

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or any(hasattr(response, name) for name in _OWN_POLICY)
        ):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        excluded = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
            "EXCLUDE_URL_PREFIXES"
        ) or ()
        if (
            not getattr(response, "_csp_exempt", False)
            and HEADER not in response
            and not request.path_info.startswith(tuple(excluded))
        ):
            key = (self._area(request), nonce is not None)
            policy = _built.get(key)
            if policy is None:
                parts = PolicyParts(
                    config=self._area_config(key[0]),
                    update=self._media_sources(),
                    nonce=_NONCE if key[1] else None,
                )
                policy = _built[key] = build_policy(**asdict(parts))
            if policy:
                response[HEADER] = policy.replace(_NONCE, nonce) if nonce else policy
        if nonce is None:
            # as django-csp: a nonce asked for after the header is written is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


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
