"""Oscar's basket middleware, without applying offers when the shop has none, and with
the guest's basket read in one query from the primary."""

from django.core.signing import BadSignature, Signer
from oscar.apps.basket import middleware
from oscar.core.loading import get_model

from shop.basket.features import offers_exist
from shop.speed import request_cache

Basket = get_model("basket", "Basket")


def _open_guest_basket(basket):
    return list(Basket.objects.using("default").filter(pk=basket, owner=None, status=Basket.OPEN))


class BasketMiddleware(middleware.BasketMiddleware):
    def __call__(self, request):
        with request_cache.for_request():
            return super().__call__(request)

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
            found = _open_guest_basket(basket=int(Signer().unsign(value)))
        except (BadSignature, ValueError):
            found = []
        if not found:
            request.cookies_to_delete.append(cookie_key)
            return None
        return found[0]
