"""How many items a request's basket holds, as the header and the tab bar show it.

A stored page's personal parts show the basket's count (shop/speed/page_cache.py,
``_respond``); it asks ``request.basket_count()``, which the basket middleware gives
every request. For a signed-in buyer, and a guest with a session (mid-checkout), that is
Oscar's ``basket.num_items`` of the loaded basket, as on any page.

A guest without a session, holding only the signed basket cookie, gets the count without
loading the basket: it is kept in the shared cache under the basket's id and read in the
request's single round trip (``shop.speed.request_cache``); when it is not there, one
query checks that the basket is still open and ownerless and sums its lines' quantities
(the same count as ``num_items``), and the answer is stored. A cookie naming a basket that
is no longer open (ordered, merged, frozen, deleted) or a bad signature is deleted, as
the basket middleware does when it loads the basket.

The stored count is never behind: every save or delete of a basket or of one of its lines
(``connect``) notes the time of the change under ``CHANGED_KEY`` once it commits, and a
count read from the database before that time is not used (it is read again). A count
is stored with the time its read began, so a change that commits while it is read and
stored is seen too. Both keys expire; the change note outlives any count it judges.
"""

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

from shop.speed import request_cache

COUNT_KEY = "basket:count:{}"  # (count, time its read began) of an open guest basket
CHANGED_KEY = "basket:changed:{}"  # time of the basket's last committed change
COUNT_SECONDS = 24 * 3600
CHANGED_SECONDS = COUNT_SECONDS + 600  # outlives a count stored just before it
GONE = -1  # the count of a basket that is not open and ownerless (or never was)
NO_GUEST = None

# The guest basket the current request's cookie names (its id; 0 for a cookie that does
# not unsign), for a request without a session. Set by the basket middleware.
_guest_basket = ContextVar("guest_basket", default=NO_GUEST)


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
    return _guest_basket.set(guest_basket_of(request))


def end(token):
    _guest_basket.reset(token)


@request_cache.read_with_every_request
def _keys():
    basket = _guest_basket.get()
    if not basket:
        return []
    return [COUNT_KEY.format(basket), CHANGED_KEY.format(basket)]


def open_guest_basket(basket):
    """The basket with id ``basket`` while a guest's cookie may name it (open, no owner),
    read from the primary."""
    Basket = get_model("basket", "Basket")
    return Basket.objects.using("default").filter(pk=basket, owner=None, status=Basket.OPEN)


def _count_in_database(basket):
    """The count of ``basket`` if it is open and ownerless (one query), else ``GONE``."""
    found = list(
        open_guest_basket(basket)
        .annotate(items=Coalesce(Sum("lines__quantity"), 0))
        .values_list("items", flat=True)
    )
    return found[0] if found else GONE


def _guest_count(basket):
    if not basket:
        return GONE
    count_key, changed_key = _keys()
    stored = request_cache.get_many([count_key, changed_key])
    kept, changed = stored.get(count_key), stored.get(changed_key)
    if kept is not None and (changed is None or kept[1] > changed):
        return kept[0]
    started = time.time_ns()
    count = _count_in_database(basket)
    request_cache.set(count_key, (count, started), COUNT_SECONDS)
    return count


def count(request):
    """The count the header shows for ``request``'s basket (see the module's text)."""
    basket = _guest_basket.get()
    if basket is NO_GUEST or getattr(request, "_basket_cache", None) is not None:
        found = getattr(request, "basket", None)
        return found.num_items if found is not None else 0
    items = _guest_count(basket)
    if items == GONE:
        cookie = settings.OSCAR_BASKET_COOKIE_OPEN
        if cookie not in request.cookies_to_delete:
            request.cookies_to_delete.append(cookie)
        return 0
    return items


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
