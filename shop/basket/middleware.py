"""Oscar's basket middleware, without applying offers when the shop has none."""

from oscar.apps.basket import middleware

from shop.basket.features import answers_for_request, offers_exist


class BasketMiddleware(middleware.BasketMiddleware):
    def __call__(self, request):
        with answers_for_request():
            return super().__call__(request)

    def apply_offers_to_basket(self, request, basket):
        # Checked before ``basket.is_empty``, which would cost a COUNT query.
        if offers_exist():
            super().apply_offers_to_basket(request, basket)
