"""Whole-page cache for what anonymous buyers see most.

A sale fair shared in a big WeChat group sends thousands of first-time buyers to
the same few pages: home, catalogue, a category, a product, a story. For them
those pages are identical, so ``PageCacheMiddleware`` (shop/middleware.py) keeps
the rendered HTML in the shared cache (Redis in production) and serves it
without touching the database.

What may be cached, decided without a database query:

* ``GET``/``HEAD`` to one of ``CACHEABLE_VIEWS`` (resolved URL names);
* the request carries none of the cookies that make a page personal: the
  session (signed-in users, guests mid-checkout), Oscar's open-basket cookie,
  flashed messages, the recently-viewed history;
* the response is a 200 HTML page that sets no cookie of its own (apart from
  the history cookie, which is stripped from the stored copy only), is not
  ``private``/``no-store``, and left no flash message behind.

CSRF: forms on these pages (add to basket) carry a token. The stored copy holds
a placeholder instead; each hit gets a fresh token for the requesting browser
(``get_token``), so a cached page still lets a buyer add to the basket. The
same goes for the Content-Security-Policy nonce on inline scripts: each hit gets
the nonce of its own response's header (shop/security.py).

Invalidation: every key includes a *generation* number kept in the cache.
shop/receivers.py bumps it when a product, price, stock, category, Wagtail page
or delivery run changes, which orphans every stored page at once (they expire
by TTL). Orders only move ``num_allocated``; those changes are folded into one
bump at most every ``PAGE_CACHE_ALLOCATION_DELAY`` seconds, so a busy checkout
does not empty the cache twenty times a second.

The language comes from the URL alone (shop/middleware.py), so the path is
enough to key a page per language; the active language is part of the key
anyway.
"""

import hashlib
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language

from shop.speed import request_cache

GENERATION_KEY = "pagecache:generation"
ALLOCATION_DIRTY_KEY = "pagecache:allocation-dirty-since"
CSRF_PLACEHOLDER = "__PAGE_CACHE_CSRF_TOKEN__"
NONCE_PLACEHOLDER = b'nonce="__PAGE_CACHE_CSP_NONCE__"'
HIT_HEADER = "X-Page-Cache"

CACHEABLE_VIEWS = {
    "wagtail_serve",  # home, story index, stories, news, impact, standard pages
    "catalogue:index",
    "catalogue:category",
    "catalogue:detail",
    "origin:team",
    "origin:village",
    "site-search",
}

# Headers copied into the stored copy; cookies and Vary are per request.
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Link")

_TOKEN_INPUT_RE = re.compile(
    rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{32,64})(")'
)
_MASKED_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _leaks_csrf_token(request, content):
    """True if a CSRF token is printed outside a ``{% csrf_token %}`` input."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return False
    for candidate in _MASKED_TOKEN_RE.findall(content):
        if _unmask_cipher_token(candidate.decode()) == secret:
            return True
    return secret.encode() in content


def personal_cookies():
    return {
        settings.SESSION_COOKIE_NAME,
        settings.OSCAR_BASKET_COOKIE_OPEN,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME,
    }


def current_generation():
    """The generation that keys stored pages; folds pending stock allocations in."""
    values = cache.get_many([GENERATION_KEY, ALLOCATION_DIRTY_KEY])
    dirty_since = values.get(ALLOCATION_DIRTY_KEY)
    if (
        dirty_since is not None
        and time.time() - dirty_since >= settings.PAGE_CACHE_ALLOCATION_DELAY
    ):
        if cache.delete(ALLOCATION_DIRTY_KEY):
            return bump_generation()
    return values.get(GENERATION_KEY) or 0


def bump_counter(key):
    """Add one to the never-expiring counter at ``key`` and return it; safe when several
    processes bump it at once. Cached things keyed by the counter's value are stale from
    then on. A new counter starts at a random number, so a counter lost with the cache
    (a Redis restart) does not count through values it had before."""
    try:
        value = cache.incr(key)
    except ValueError:  # no counter yet (fresh cache); start it.
        start = secrets.randbelow(2**40) + 1
        value = start if cache.add(key, start, timeout=None) else cache.incr(key)
    request_cache.remember(key, value)
    return value


def counter(key):
    """The counter at ``key`` as this request reads it (``shop.speed.request_cache``); a fresh
    cache has none, so it is started (at a number never used, see ``bump_counter``)."""
    value = request_cache.get(key)
    return bump_counter(key) if value is None else value


def bump_generation(**_ignored):
    """Make every stored page stale at once. Safe to call from any signal."""
    return bump_counter(GENERATION_KEY)


def note_allocation():
    """An order moved stock allocations: refresh cached pages within the delay."""
    if settings.PAGE_CACHE_ALLOCATION_DELAY <= 0:
        bump_generation()
    else:
        cache.add(ALLOCATION_DIRTY_KEY, time.time(), timeout=None)


def request_is_cacheable(request):
    if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
        return False
    if any(name in request.COOKIES for name in personal_cookies()):
        return False
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in CACHEABLE_VIEWS


def cache_key(request, generation):
    query = "&".join(sorted(request.GET.urlencode().split("&"))) if request.GET else ""
    raw = f"{request.get_host()}|{get_language()}|{request.path}|{query}"
    return f"pagecache:{generation}:{hashlib.sha1(raw.encode()).hexdigest()}"


def lookup(request):
    """The stored page for this request with a fresh CSRF token, or None."""
    generation = current_generation()
    request._page_cache_key = cache_key(request, generation)
    stored = cache.get(request._page_cache_key)
    if stored is None:
        return None
    content, headers = stored
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER in content:
        content = content.replace(NONCE_PLACEHOLDER, f'nonce="{request.csp_nonce}"'.encode())
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response[HIT_HEADER] = "hit"
    return response


def _response_is_storable(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cookies = set(response.cookies) - {settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME}
    if cookies:
        return False
    cache_control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    return True


def store(request, response):
    """Keep a copy of a freshly rendered page, with CSRF tokens replaced by a placeholder."""
    key = getattr(request, "_page_cache_key", None)
    if key is None or request.method != "GET" or not _response_is_storable(request, response):
        return
    content = _TOKEN_INPUT_RE.sub(rb"\1" + CSRF_PLACEHOLDER.encode() + rb"\3", response.content)
    if _leaks_csrf_token(request, content):
        return
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        content = content.replace(f'nonce="{nonce}"'.encode(), NONCE_PLACEHOLDER)
    headers = {name: response[name] for name in STORED_HEADERS if name in response}
    cache.set(key, (content, headers), settings.PAGE_CACHE_SECONDS)
    response[HIT_HEADER] = "miss"
