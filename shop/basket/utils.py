"""Basket messages after a change, written in the shop's own words, without re-applying
offers when the shop has none."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from oscar.apps.basket import utils
from oscar.templatetags.currency_filters import currency

from shop.basket.features import offers_exist


def added_message(product, quantity):
    """What add-to-basket says, e.g. "已加入购物车：散养土鸡蛋 × 3"."""
    if quantity == 1:
        return format_html(_("已加入购物车：<strong>{title}</strong>"), title=product.get_title())
    return format_html(
        _("已加入购物车：<strong>{title}</strong> × {quantity}"),
        title=product.get_title(),
        quantity=quantity,
    )


def new_total_message(basket, include_buttons=True):
    """The basket's new total, with the way to the basket and to the order confirmation
    (not on the basket page itself)."""
    if basket.is_empty:
        return _("购物车已经空了。")
    total = basket.total_incl_tax if basket.is_tax_known else basket.total_excl_tax
    message = format_html(
        _("购物车合计 <strong>{total}</strong>"), total=currency(total, basket.currency)
    )
    if not include_buttons:
        return message
    return format_html(
        '{message}<br><a href="{basket}" class="btn btn-primary btn-sm">{see}</a> '
        '<a href="{confirm}" class="btn btn-primary btn-sm">{checkout}</a>',
        message=message,
        basket=reverse("basket:summary"),
        see=_("查看购物车"),
        confirm=reverse("checkout:confirm"),
        checkout=_("去结算"),
    )


class BasketMessageGenerator(utils.BasketMessageGenerator):
    def get_new_total_messages(self, basket, include_buttons=True):
        return [(messages.INFO, new_total_message(basket, include_buttons))]

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
