"""Basket messages after a change, without re-applying offers when the shop has none."""

from django.contrib import messages
from oscar.apps.basket import utils

from shop.basket.features import offers_exist


class BasketMessageGenerator(utils.BasketMessageGenerator):
    def apply_messages(self, request, offers_before):
        if offers_exist():
            return super().apply_messages(request, offers_before)
        # No offer can be won or lost: only the new total is worth saying, read from the
        # lines as they are now (a line may have gone), unless the basket holds exactly
        # those (a new basket's first line, see ``Basket.add_product``).
        basket = request.basket
        if getattr(basket, "_lines_exact", False):
            basket._lines_exact = False
        else:
            basket.reset_offer_applications()
        for level, msg in self.get_new_total_messages(request.basket):
            messages.add_message(request, level, msg, extra_tags="safe noicon")
