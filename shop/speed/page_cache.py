"""Whole-page cache for the pages buyers see most.

A sale fair shared in a big WeChat group sends thousands of first-time buyers to
the same few pages: home, catalogue, a category, a product, a story. For them
those pages are identical, so ``PageCacheMiddleware`` (shop/core/middleware.py) keeps
the rendered HTML in the shared cache (Redis in production) and serves it
without touching the database.

What may be stored, decided without a database query:

* ``GET``/``HEAD`` to one of ``CACHEABLE_VIEWS`` (resolved URL names);
* the request carries no flashed messages and none of the cookies that make a
  page personal (``personal_cookies``: the session of signed-in users and guests
  mid-checkout, Oscar's open-basket cookie);
* the response is a 200 HTML page that sets no cookie of its own (apart from
  the history cookie, which is stripped from the stored copy only), is not
  ``private``/``no-store``, and left no flash message behind.

CSRF: forms on these pages (add to basket) carry a token. The stored copy holds
a placeholder instead; each hit gets a fresh token for the requesting browser
(``get_token``), so a cached page still lets a buyer add to the basket. The
same goes for the Content-Security-Policy nonce on inline scripts: each hit gets
the nonce of its own response's header (shop/core/security.py).

Invalidation: every key includes a *generation* number kept in the cache.
shop/core/receivers.py bumps it when a product, price, category, Wagtail page or pickup
point changes, which orphans every stored page at once (they expire by TTL). Orders touch
much less: they move the allocation of a few stock records. A stored page therefore also
lists the *tags* it was drawn from (``depends_on``: the stock records it shows for sale or
sold out (``on_sale_tag``: a card, a search hit, the product page), the delivery runs of
the teams whose next run
it shows (``runs_tag``), and whatever else a renderer names) with each tag's version when
it was drawn; ``touched(tags)`` gives those tags new versions, and only the pages that
showed them are drawn again. An order on one product leaves every page without it served
from the cache, and the pages listing it too unless it sold the product out
(``note_allocation``); a run's new cut-off (fulfilment/receivers.py,
``note_runs_changed``) leaves every page without runs. What a page shows that changes with
every order, the product page's 下一趟配送还剩 N, is a *live part*: drawn again on each
answer from a value kept until the record's level tag (``stock_tag``) changes
(``live_part``, ``kept``; catalogue/live.py).

No stampede: one request at a time rebuilds a key (a short lock in the cache). While it
does, the others are given the stale copy if there is one, or wait up to
``PAGE_CACHE_REBUILD_WAIT`` seconds for the fresh one.

Personal requests (a session, a basket) get the same stored
page with its personal parts drawn for them: the parts between ``<!--personal:NAME-->``
and ``<!--/personal-->`` are rendered again from ``PERSONAL_PARTS[NAME]`` with the
request (the header's account links and basket count, the tab bar's count). The stored
copy is only ever drawn for an anonymous request, so nothing in it is anyone's own: when
a personal request finds no fresh copy, a copy of it without cookies or credentials is
sent through the whole middleware chain first (``_draw_anonymously``), which draws and
stores the page as for any first-time visitor, under the same lock; the personal request
is then served from that copy ("miss-personal"). Requests with flashed messages are
served by the view, and never stored. The basket's count in those parts is the basket
app's (``request.basket_count``, shop/basket/counts.py: a guest without a session gets it
from the shared cache, without loading the basket); the parts, the same for every guest
on a page with that count, and for every signed-in buyer of one kind (``parts_show``), are
drawn once per process (``_drawn_parts``).

Query strings: a page with one (a search, a sort, a page number) is stored only when the
same address was asked for before within ``PAGE_CACHE_SECONDS`` (``_asked_before``), so
searches nobody repeats leave only a small expiring marker, not a page.

The language comes from the URL alone (shop/core/middleware.py), so the path is
enough to key a page per language; the active language is part of the key
anyway.
"""

import hashlib
import io
import re
import secrets
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language

from shop.speed import request_cache

GENERATION_KEY = "pagecache:generation"
TAG_KEY = "pagecache:tag:{}"
LOCK_SECONDS = 30  # a rebuild that takes longer lets the next request try
CSRF_PLACEHOLDER = "__PAGE_CACHE_CSRF_TOKEN__"
NONCE_PLACEHOLDER = b'nonce="__PAGE_CACHE_CSP_NONCE__"'
HIT_HEADER = "X-Page-Cache"

# The parts of a stored page drawn again for each personal request (see above).
PERSONAL_PARTS = {
    "tools": "includes/header_tools.html",
    "tabbar-count": "includes/basket_count.html",
}
_PERSONAL_RE = re.compile(rb"<!--personal:([a-z-]+)-->.*?<!--/personal-->", re.S)
MESSAGES_COOKIE_DEFAULT = "messages"

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
    """Cookies that make a request personal: it gets the stored page with its personal
    parts drawn for it, and its own rendering is never stored. The recently-viewed
    history is not one: no page shows it (a hit leaves the cookie as it was)."""
    return {settings.SESSION_COOKIE_NAME, settings.OSCAR_BASKET_COOKIE_OPEN}


def _messages_cookie():
    return getattr(settings, "MESSAGE_COOKIE_NAME", MESSAGES_COOKIE_DEFAULT)


def current_generation():
    """The generation that keys stored pages."""
    return cache.get(GENERATION_KEY) or 0


def request_generation():
    """The generation as this request reads it: with the request's other shared values
    (``shop.speed.request_cache``), in the round trip the request makes anyway."""
    return request_cache.get(GENERATION_KEY) or 0


@request_cache.read_with_every_request
def _generation_keys():
    return [GENERATION_KEY]


# --- tags: what a stored page was drawn from ---------------------------------------------

_drawing = ContextVar("page_cache_drawing", default=None)


def depends_on(*tags):
    """The page being drawn for the cache shows what ``tags`` name (``"stock:12"``); a
    ``touched`` tag makes it stale. Costs nothing outside a page being drawn."""
    drawn = _drawing.get()
    if drawn is not None:
        drawn.update(tags)


def stock_tag(stockrecord_id):
    """The tag of how much of a stock record is left: touched by every order on it, it
    makes the level kept for the product page's live part stale (``kept``)."""
    return f"stock:{stockrecord_id}"


def on_sale_tag(stockrecord_id):
    """The tag of a page showing only whether a stock record can be bought: a product card
    or a search hit (the add button or 已售罄). An order that leaves some of it for sale
    does not make such a page stale."""
    return f"stock:{stockrecord_id}:on-sale"


def runs_tag(team_id=None):
    """The tag of the delivery runs a page shows: those of one team (a product card's next
    run), or, without ``team_id``, which runs are open at all (the home page's list of next
    runs and this week's produce)."""
    return "runs" if team_id is None else f"runs:team:{team_id}"


def note_runs_changed(team_ids):
    """A run of these teams was made, edited (cut-off, date, capacity), moved on or deleted:
    the pages showing runs of those teams, and those listing the open runs, are stale."""
    touched({runs_tag()} | {runs_tag(pk) for pk in team_ids if pk})


def touched(tags):
    """``tags`` changed: pages drawn from them are stale from the commit on (at once
    outside a transaction)."""
    tags = {tag for tag in tags if tag}
    if not tags:
        return
    transaction.on_commit(lambda: _new_versions(tags))


def _new_versions(tags):
    # A version is the time of the change: a page drawn after it records the same value,
    # and a page drawn while it happened sees it is newer than its own start (``store``).
    version = time.time_ns()
    cache.set_many({TAG_KEY.format(tag): version for tag in tags}, timeout=None)


def note_allocation(stockrecord_ids, on_sale_changed=None):
    """An order moved the allocation of these stock records: the levels kept for the
    product pages' live parts are stale, and the pages showing whether it can be bought at
    all are stale for the records in ``on_sale_changed`` (for all of them when the caller
    does not know)."""
    ids = {pk for pk in stockrecord_ids if pk}
    changed = ids if on_sale_changed is None else ids & set(on_sale_changed)
    touched({stock_tag(pk) for pk in ids} | {on_sale_tag(pk) for pk in changed})


# --- live parts: what a stored page shows that changes more often than the page -------
#
# A stored page may hold ``<!--live:NAME:ARG-->…<!--/live-->``: every answer from the
# cache draws that part again with ``LIVE_PARTS[NAME](ARG)`` (registered by the app that
# knows it, ``live_part``). The product page's 下一趟配送还剩 N is one: every order changes
# it and nothing else on the page, and drawing the page again after each order costs some
# 20 ms where the part, read through ``kept``, costs one read of the shared cache.

LIVE_PARTS = {}
_LIVE_RE = re.compile(rb"<!--live:([a-z-]+):([^>]*?)-->.*?<!--/live-->", re.S)


def live_part(name):
    """Register ``draw(arg) -> str`` (escaped HTML) as the live part ``name``."""

    def register(draw):
        LIVE_PARTS[name] = draw
        return draw

    return register


def live_marks(name, arg, html):
    """The marked-up part as a template writes it (``arg`` holds no ``>``)."""
    return f"<!--live:{name}:{arg}-->{html}<!--/live-->"


def _live(match):
    name, arg = match.group(1).decode(), match.group(2).decode()
    draw = LIVE_PARTS.get(name)
    if draw is None:  # not one of ours: left as it is
        return match.group(0)
    return live_marks(name, arg, draw(arg)).encode()


def kept(key, tag, read):
    """``read()``, kept in the shared cache under ``key`` until ``tag`` is touched or every
    stored page is made stale (a new generation: a stock or price edit).

    A value is kept with the generation and the time its read began, and used while no
    change of ``tag`` came later (one round trip for the three); a value read while a
    change committed is read again by the next request. As for the tags, the times are the
    web servers' clocks."""
    kept_key, tag_key = f"kept:{key}", TAG_KEY.format(tag)
    found = cache.get_many([kept_key, tag_key, GENERATION_KEY])
    value, version = found.get(kept_key), found.get(tag_key, 0)
    generation = found.get(GENERATION_KEY) or 0
    if value is not None and value[1] > version and value[2] == generation:
        return value[0]
    started = time.time_ns()
    fresh = read()
    cache.set(kept_key, (fresh, started, generation), settings.PAGE_CACHE_SECONDS)
    return fresh


def _tag_versions(tags):
    found = cache.get_many([TAG_KEY.format(tag) for tag in tags])
    return {tag: found.get(TAG_KEY.format(tag), 0) for tag in tags}


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


def request_is_cacheable(request):
    """A page the cache may answer (for a personal request, with its parts drawn again)."""
    if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
        return False
    if request.COOKIES.get(_messages_cookie()):  # an emptied cookie may still be sent
        return False
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in CACHEABLE_VIEWS


def is_personal(request):
    return any(request.COOKIES.get(name) for name in personal_cookies())


def cache_key(request, generation):
    query = "&".join(sorted(request.GET.urlencode().split("&"))) if request.GET else ""
    raw = f"{request.get_host()}|{get_language()}|{request.path}|{query}"
    return f"pagecache:{generation}:{hashlib.sha1(raw.encode()).hexdigest()}"


def lookup(request):
    """The stored page for this request, made ready for it, or None (the view draws it)."""
    personal = is_personal(request)
    # A personal hit reads the request's shared values anyway (the basket's count, the
    # offers…): the generation comes with them. An anonymous hit reads it alone.
    generation = request_generation() if personal else current_generation()
    key = cache_key(request, generation)
    stored = cache.get(key)
    fresh = stored is not None and _is_fresh(stored)
    if personal:
        # Never stored from a personal request; drawn personal parts need the session.
        if request.session.get("_messages"):
            return None
        if fresh:
            return _respond(request, stored, "hit-personal")
        if stored is None and not _asked_before(request, key):
            return None
        return _personal_miss(request, key)
    if fresh:
        return _respond(request, stored, "hit")
    if stored is None and not _asked_before(request, key):
        return None  # a query asked once (a search nobody repeats) is drawn, not stored
    if cache.add(key + ":lock", 1, LOCK_SECONDS):
        request._page_cache_key = key
        request._page_cache_started = time.time_ns()
        request._page_cache_tags = _drawing.set(set())
        return None
    if stored is not None:  # someone is drawing it again: the copy they replace meanwhile
        return _respond(request, stored, "stale")
    waited, step = 0.0, 0.05
    while waited < settings.PAGE_CACHE_REBUILD_WAIT:
        time.sleep(step)
        waited += step
        stored = cache.get(key)
        if stored is not None:
            return _respond(request, stored, "hit")
    return None  # drawn here too, without storing: the one holding the lock stores it


def _asked_before(request, key):
    """Whether a page with a query string (a search, a sort, a page number) was asked for
    within ``PAGE_CACHE_SECONDS`` already: only those are stored, so queries nobody repeats
    (typos, bots walking every word) leave a small marker that expires instead of a page.
    A page without a query string counts as asked: the set of those is bounded by the
    site."""
    if not request.GET:
        return True
    return not cache.add(key + ":asked", 1, settings.PAGE_CACHE_SECONDS)


def _personal_miss(request, key):
    """No fresh copy for a personal request: the page is drawn once as an anonymous visitor
    would get it (``_draw_anonymously``; that request takes the key's lock and stores the
    page, or is given the copy another request is drawing), then served from that copy
    with this request's personal parts. None when nothing was stored (the view draws it)."""
    _draw_anonymously(request)
    stored = cache.get(key)
    if stored is None:
        return None
    return _respond(request, stored, "miss-personal")


_anonymous_handler = []  # one per process, built on first use


def _handler():
    if not _anonymous_handler:
        handler = BaseHandler()
        handler.load_middleware()
        _anonymous_handler.append(handler)
    return _anonymous_handler[0]


# What a browser sends that makes a request someone's: no cookie at all (session, basket,
# CSRF, messages), no credentials, no CSRF header; the CSRF middleware's own note of the
# cookie it read goes too.
_PERSONAL_META = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_X_CSRFTOKEN", "CSRF_COOKIE")


def _draw_anonymously(request):
    """Send a copy of ``request`` without anything personal through the whole middleware
    chain, as a first-time visitor's ``GET``: this module's anonymous path draws and stores
    the page (under the same key and lock). Its response is not sent anywhere."""
    environ = {
        name: value
        for name, value in request.META.items()
        if name not in _PERSONAL_META and name != "wsgi.input"
    }
    # WSGIRequest keeps the decoded path in META; the environ wants WSGI's latin-1 text.
    environ.update(
        REQUEST_METHOD="GET",
        CONTENT_LENGTH="0",
        PATH_INFO=_wsgi_text(request.path_info),
        SCRIPT_NAME=_wsgi_text(request.META.get("SCRIPT_NAME", "")),
    )
    environ["wsgi.input"] = io.BytesIO(b"")
    anonymous = WSGIRequest(environ)
    return _handler().get_response(anonymous)


def _wsgi_text(text):
    return text.encode().decode("iso-8859-1")


def _is_fresh(stored):
    tags = stored[2] if len(stored) > 2 else {}
    return not tags or _tag_versions(tags) == tags


def _respond(request, stored, how):
    content, headers = stored[0], stored[1]
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER in content:
        content = content.replace(NONCE_PLACEHOLDER, f'nonce="{request.csp_nonce}"'.encode())
    if b"<!--live:" in content:
        content = _LIVE_RE.sub(_live, content)
    if how.endswith("-personal"):
        draw = personal_parts_for(request)
        content = _PERSONAL_RE.sub(
            lambda match: draw(match.group(1).decode(), match.group(0).decode()).encode(),
            content,
        )
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response[HIT_HEADER] = how
    return response


def personal_parts_for(request):
    """``draw(name, as_found) -> str``: the personal part ``name`` drawn for ``request``
    (``as_found``, the part as it stands, when ``name`` is not one of ``PERSONAL_PARTS``:
    text an editor wrote)."""
    # The parts show the basket's count: counted once (nothing changes the basket while
    # a page is answered from stored HTML), by the basket app (``request.basket_count``).
    count_of = getattr(request, "basket_count", None)
    context = {"basket_count": count_of() if count_of is not None else 0}
    user = getattr(request, "user", None)
    kind = _kind_of(user) if user is not None and user.is_authenticated else "guest"

    def draw(name, as_found):
        template = PERSONAL_PARTS.get(name)
        if template is None:
            return as_found
        if kind is None or settings.DEBUG:  # DEBUG: an edited template shows at once
            return _drawn_part(request, name, template, context)
        # The part is the same for every buyer of this kind on this page in this language
        # with this count, so each process draws it once (``_drawn_parts``).
        key = (
            name,
            kind,
            get_language(),
            getattr(request, "LANGUAGE_CODE", None),
            get_script_prefix(),
            request.get_full_path(),
            context["basket_count"],
        )
        part = _drawn_parts.get(key)
        if part is None:
            if len(_drawn_parts) >= DRAWN_PARTS_KEPT:
                _drawn_parts.clear()
            part = _drawn_parts[key] = _drawn_part(request, name, template, context)
        return part

    return draw


# The personal parts as drawn, per process, for guests and for each kind of signed-in
# buyer: the templates read only whether someone is signed in, what ``_kind_of`` gives for
# her, the language (the active one, and the request's for ``language_url``), the page's
# path and query (``language_url``), the script prefix (``url``) and the count.
_drawn_parts = {}
DRAWN_PARTS_KEPT = 2000
request_cache.keeps_local_state(_drawn_parts.clear)

# ``rule(user) -> hashable``: everything the personal parts show of a signed-in user,
# registered by the app that owns that rule (``parts_show``). Until one is registered,
# each signed-in buyer's parts are drawn for her request alone.
_signed_in_rules = []


def parts_show(rule):
    """Register ``rule(user) -> hashable value``: something the personal parts show of a
    signed-in user (shop.desk: whether the header offers 工作台). Signed-in buyers for
    whom every rule gives the same values get the same parts, drawn once per process. A
    template in ``PERSONAL_PARTS`` that reads anything else of the user must register it
    here (tests/ops/test_personal_parts.py reads the templates for that)."""
    _signed_in_rules.append(rule)
    return rule


def _kind_of(user):
    """The signed-in buyer's kind for the drawn parts' key, or None when no rule says
    what the parts show of her."""
    if not _signed_in_rules:
        return None
    return ("signed-in", *(rule(user) for rule in _signed_in_rules))


def _drawn_part(request, name, template, context):
    """The part drawn with only what the parts read (the request, who is signed in, the
    count): not through the context processors, which would run once per part and read
    what no part shows."""
    user = getattr(request, "user", None) or AnonymousUser()
    html = get_template(template).render({**context, "request": request, "user": user})
    return f"<!--personal:{name}-->{html}<!--/personal-->"


def storable_copy(request, content):
    """``content`` (bytes) fit to serve to anyone: its CSRF tokens and script nonces made
    placeholders (``_respond`` fills them for each request); None if it shows a CSRF token
    anywhere else, which would hand one buyer's token to the next."""
    content = _TOKEN_INPUT_RE.sub(rb"\1" + CSRF_PLACEHOLDER.encode() + rb"\3", content)
    if _leaks_csrf_token(request, content):
        return None
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        content = content.replace(f'nonce="{nonce}"'.encode(), NONCE_PLACEHOLDER)
    return content


def finish(request, response):
    """After the view: store what it drew if this request holds the key's lock."""
    key = getattr(request, "_page_cache_key", None)
    if key is None:
        return
    try:
        if HIT_HEADER not in response:
            store(request, response)
    finally:
        try:
            _drawing.reset(request._page_cache_tags)
        except ValueError:  # finished in another context than it started (async)
            _drawing.set(None)
        cache.delete(key + ":lock")
        request._page_cache_key = None


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
    content = storable_copy(request, response.content)
    if content is None:
        return
    headers = {name: response[name] for name in STORED_HEADERS if name in response}
    tags = _tag_versions(_drawing.get() or ())
    response[HIT_HEADER] = "miss"
    if any(version > request._page_cache_started for version in tags.values()):
        return  # something it shows changed while it was drawn: the next request draws it
    cache.set(key, (content, headers, tags), settings.PAGE_CACHE_SECONDS)
