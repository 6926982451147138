"""再来一单: the lines of a past order go into the basket again, as far as the shop can
sell them today. Each line that cannot go in (no longer sold, sold out for the coming
runs, fewer left than last time) gets one sentence the buyer reads on the basket page;
the rest goes in at today's price."""

from django.utils.translation import gettext as _

from catalogue.templatetags.shop_tags import unit_label


def _available(line, basket, strategy):
    """(units to add, reason or None) for one order line."""
    product = line.product
    if product is None or not product.is_public:
        return 0, _("「%(title)s」已经不卖了，没有加入购物车。") % {"title": line.title}
    info = strategy.fetch_for_product(product)
    if info.stockrecord is None or not info.availability.is_available_to_buy:
        return 0, _("「%(title)s」现在没货，没有加入购物车。") % {"title": line.title}
    already = basket.line_quantity(product, info.stockrecord)
    permitted, _reason = info.availability.is_purchase_permitted(line.quantity + already)
    if permitted:
        return line.quantity, None
    left = max(0, (getattr(info.availability, "num_available", 0) or 0) - already)
    if left <= 0:
        return 0, _("「%(title)s」现在没货，没有加入购物车。") % {"title": line.title}
    return left, _(
        "「%(title)s」只剩 %(left)d %(unit)s，都加入了购物车（上次买了 %(wanted)d %(unit)s）。"
    ) % {"title": line.title, "left": left, "wanted": line.quantity, "unit": unit_label(product)}


def into_basket(order, basket, strategy):
    """Add what can be sold of ``order`` to ``basket``; returns (how many products went
    in, [sentences about the ones that did not or only partly])."""
    added, notes = 0, []
    for line in order.lines.all():
        quantity, note = _available(line, basket, strategy)
        if note:
            notes.append(note)
        if quantity:
            allowed, reason = basket.is_quantity_allowed(quantity)
            if not allowed:
                notes.append(str(reason))
                continue
            basket.add_product(line.product, quantity)
            added += 1
    return added, notes
