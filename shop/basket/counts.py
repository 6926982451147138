"""How many items a request's basket holds, as the header and the tab bar show it.

A stored page's personal parts show the basket's count (shop/speed/page_cache.py,
``_respond``); it asks ``request.basket_count()``, which the basket middleware gives
every request. For a signed-in buyer, and a guest with a session (mid-checkout), that is
Oscar's ``basket.num_items`` of the loaded basket, as on any page, except on a stored
page of a signed-in buyer with no guest basket to merge: there one query sums her open
basket's lines (``_owner_count``), without loading the basket.

A guest without a session, holding only the signed basket cookie, gets the count without
loading the basket: it is kept in the shared cache under the basket's id and read in the
request's single round trip (``shop.speed.request_cache``); when it is not there, one
query checks that the basket is still open and ownerless and sums its lines' quantities
(the same count as ``num_items``), and the answer is stored. A cookie naming a basket that
is no longer open (ordered, merged, frozen, deleted) or a bad signature is deleted, as
the basket middleware does when it loads the basket.

A guest's ``GET`` that loads her basket's lines anyway (the basket page, a page drawn for
her with the header's count) keeps their count as well (``keep_loaded``), so the stored
page she asks next needs no query either.

The stored count is never behind: every save or delete of a basket or of one of its lines
(``connect``) notes the time of the change under ``CHANGED_KEY`` once it commits, and a
count read from the database before that time is not used (it is read again). A count
is stored with the time its read began (for ``keep_loaded``, the time the request began),
so a change that commits while it is read and stored is seen too. Both keys expire; the
change note outlives any count it judges. The times are of the web servers' clocks, as
for the page cache's tags.
"""

import functools
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.signing import BadSignature, Signer
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model

from shop.basket.features import options_exist
from shop.core import sql
from shop.speed import Joined, request_cache

COUNT_KEY = "basket:count:{}"  # (count, time its read began) of an open guest basket
CHANGED_KEY = "basket:changed:{}"  # time of the basket's last committed change
COUNT_SECONDS = 24 * 3600
CHANGED_SECONDS = COUNT_SECONDS + 600  # outlives a count stored just before it
GONE = -1  # the count of a basket that is not open and ownerless (or never was)
NO_GUEST = None

# The guest basket the current request's cookie names (its id; 0 for a cookie that does
# not unsign), for a request without a session, and when the request began. Set by the
# basket middleware.
_guest_basket = ContextVar("guest_basket", default=(NO_GUEST, 0))


def guest_basket_of(request):
    """The basket id the cookie of a guest without a session names: an int (0 when the
    cookie is not a signed id), or None when this request is not such a guest's."""
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return NO_GUEST
    value = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if not value:
        return NO_GUEST
    try:
        return int(Signer().unsign(value))
    except (BadSignature, ValueError):
        return 0


def for_request(request):
    """Note the guest basket of ``request`` for the shared-cache read; returns the token
    to ``end`` it with."""
    basket = guest_basket_of(request)
    return _guest_basket.set((basket, time.time_ns() if basket else 0))


def end(token):
    _guest_basket.reset(token)


@request_cache.read_with_every_request
def _keys():
    basket = _guest_basket.get()[0]
    if not basket:
        return []
    return [COUNT_KEY.format(basket), CHANGED_KEY.format(basket)]


def open_guest_basket(basket):
    """The basket with id ``basket`` while a guest's cookie may name it (open, no owner),
    read from the primary."""
    Basket = get_model("basket", "Basket")
    return Basket.objects.using("default").filter(pk=basket, owner=None, status=Basket.OPEN)


def loaded_guest_basket(basket):
    """``open_guest_basket(basket)`` loaded, or None: read by its key in a statement written
    once per process (``shop.speed.Joined``), as every request of a guest holding a basket
    reads it (building the same query with the ORM took four times as long)."""
    for found in _basket_rows().fetch(basket, using="default"):
        if found.owner_id is None and found.status == found.OPEN:
            return found
    return None


@functools.cache
def _basket_rows():
    return Joined(get_model("basket", "Basket"), "id", [])


def _items_of(baskets):
    """Each basket's count (its lines' quantities summed, as ``num_items``) in one query."""
    return list(
        baskets.annotate(items=Coalesce(Sum("lines__quantity"), 0)).values_list("items", flat=True)
    )


def _count_in_database(basket):
    """The count of ``basket`` if it is open and ownerless (one query), else ``GONE``."""
    found = _items_of(open_guest_basket(basket))
    return found[0] if found else GONE


def _kept(basket):
    """(the stored count if it is still right or None, the time of the last change)"""
    count_key, changed_key = COUNT_KEY.format(basket), CHANGED_KEY.format(basket)
    stored = request_cache.get_many([count_key, changed_key])
    kept, changed = stored.get(count_key), stored.get(changed_key)
    if kept is not None and (changed is None or kept[1] > changed):
        return kept[0], changed
    return None, changed


def _guest_count(basket):
    if not basket:
        return GONE
    kept, _ = _kept(basket)
    if kept is not None:
        return kept
    count_key = COUNT_KEY.format(basket)
    started = time.time_ns()
    count = _count_in_database(basket)
    request_cache.set(count_key, (count, started), COUNT_SECONDS)
    return count


def _owner_count(user):
    """The count of ``user``'s open basket in one statement (0 without one), or None when
    she holds several (Oscar's middleware merges them when it loads the basket). Written
    out (``_owner_items``): every stored page a signed-in buyer sees asks it, and building
    the same query with the ORM took three times as long as running it."""
    found = sql.rows(_owner_items(), [user.pk, get_model("basket", "Basket").OPEN])
    if len(found) > 1:
        return None
    return found[0][0] if found else 0


@functools.cache
def _owner_items():
    """SQL: each open basket of owner %s (status %s), at most two, with its lines'
    quantities summed (``_items_of``), from the primary."""
    Basket, Line = get_model("basket", "Basket"), get_model("basket", "Line")
    return (
        f"SELECT COALESCE(SUM(l.{sql.column(Line, 'quantity')}), 0) FROM {sql.table(Basket)} b"
        f" LEFT JOIN {sql.table(Line)} l ON l.{sql.column(Line, 'basket')} = b.id"
        f" WHERE b.{sql.column(Basket, 'owner')} = %s AND b.{sql.column(Basket, 'status')} = %s"
        " GROUP BY b.id LIMIT 2"
    )


def count(request):
    """The count the header shows for ``request``'s basket (see the module's text)."""
    basket = _guest_basket.get()[0]
    loaded = getattr(request, "_basket_cache", None)
    if basket is NO_GUEST or loaded is not None:
        user = getattr(request, "user", None)
        if (
            loaded is None
            and user is not None
            and user.is_authenticated
            and settings.OSCAR_BASKET_COOKIE_OPEN not in request.COOKIES
        ):
            # A signed-in buyer with no guest basket to merge: her basket's count, without
            # loading (or, when she has none yet, creating) the basket.
            items = _owner_count(user)
            if items is not None:
                return items
        found = getattr(request, "basket", None)
        return found.num_items if found is not None else 0
    items = _guest_count(basket)
    if items == GONE:
        cookie = settings.OSCAR_BASKET_COOKIE_OPEN
        if cookie not in request.cookies_to_delete:
            request.cookies_to_delete.append(cookie)
        return 0
    return items


def keep_loaded(request):
    """After a guest's ``GET`` that loaded her open basket's lines from the primary (no
    options: ``Basket.all_lines`` reads them there), keep their count unless it is kept
    already or the basket changed since the request began (the lines may be older)."""
    basket_id, started = _guest_basket.get()
    basket = getattr(request, "_basket_cache", None)
    if not basket_id or basket is None or basket.id != basket_id:
        return
    if request.method not in ("GET", "HEAD") or basket._lines is None or options_exist():
        return
    if basket.status != basket.OPEN or basket.owner_id is not None:
        return
    kept, changed = _kept(basket_id)
    if changed is not None and changed >= started:
        return
    items = basket.num_items
    if kept != items:
        request_cache.set(COUNT_KEY.format(basket_id), (items, started), COUNT_SECONDS)


def _changed(basket):
    if not basket:
        return

    def note():
        now = time.time_ns()
        cache.set(CHANGED_KEY.format(basket), now, CHANGED_SECONDS)
        request_cache.remember(CHANGED_KEY.format(basket), now)

    transaction.on_commit(note)


def _line_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _changed(instance.basket_id)


def _basket_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _changed(instance.pk)


def connect():
    """Note every change of a basket (its status: frozen, submitted, merged; its owner) and
    of its lines. A line deleted with a queryset (``Basket.flush``, a deleted product's
    lines) is deleted row by row while a receiver listens, so each one is noted."""
    Basket, Line = get_model("basket", "Basket"), get_model("basket", "Line")
    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            _basket_changed, sender=Basket, weak=False, dispatch_uid=f"basket.count-basket-{name}"
        )
        signal.connect(
            _line_changed, sender=Line, weak=False, dispatch_uid=f"basket.count-line-{name}"
        )
