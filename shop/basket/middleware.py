"""Oscar's basket middleware, without applying offers when the shop has none, with the
guest's basket read from the primary in one statement written once per process, and with
``request.basket_count()`` (shop/basket/counts.py), which a stored page's personal parts
show."""

from functools import partial

from django.core.signing import BadSignature, Signer
from oscar.apps.basket import middleware

from shop.basket import counts
from shop.basket.features import offers_exist
from shop.speed import request_cache


class BasketMiddleware(middleware.BasketMiddleware):
    def __call__(self, request):
        request.basket_count = partial(counts.count, request)
        with request_cache.for_request():
            token = counts.for_request(request)
            try:
                return super().__call__(request)
            finally:
                counts.end(token)

    def process_response(self, request, response):
        counts.keep_loaded(request)
        return super().process_response(request, response)

    def apply_offers_to_basket(self, request, basket):
        # Checked before ``basket.is_empty``, which would cost a COUNT query.
        if offers_exist():
            super().apply_offers_to_basket(request, basket)

    def get_cookie_basket(self, cookie_key, request, manager):
        """Oscar's: the open, ownerless basket the signed cookie names, if any."""
        value = request.COOKIES.get(cookie_key)
        if value is None:
            return None
        try:
            found = counts.loaded_guest_basket(int(Signer().unsign(value)))
        except (BadSignature, ValueError):
            found = None
        if found is None:
            request.cookies_to_delete.append(cookie_key)
        return found
