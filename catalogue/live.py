"""The parts of a stored catalogue page drawn again on every answer (``page_cache``'s live
parts): the product page's 下一趟配送还剩 N, which every order changes.

The level is read through ``page_cache.kept``: kept in the shared cache until an order or
a stock change touches the record's stock tag (``page_cache.note_allocation``), then read
again from the primary. The page itself depends only on whether the product can be bought
(the on-sale tag), so an order that leaves some for sale does not draw it again.
"""

from django.utils.html import escape
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import units
from shop.speed import page_cache

STOCK_LEFT = "stock-left"


def stock_left_text(level, unit_code):
    """下一趟配送还剩 30 枚 (30 eggs left for the next delivery); never below 0."""
    return _("下一趟配送还剩 %(amount)s") % {"amount": units.amount_in(max(level, 0), unit_code)}


def stock_left(record, product):
    """The product page's part, marked as live (``{% stock_left %}``)."""
    unit = units.code(product)
    return page_cache.live_marks(
        STOCK_LEFT,
        f"{record.pk}:{unit}",
        escape(stock_left_text(record.net_stock_level, unit)),
    )


def _level(record_id):
    """The record's ``net_stock_level`` (Oscar's rule), read from the primary."""
    record = (
        get_model("partner", "StockRecord")
        .objects.using("default")
        .only("num_in_stock", "num_allocated")
        .filter(pk=record_id)
        .first()
    )
    return record.net_stock_level if record is not None else 0


@page_cache.live_part(STOCK_LEFT)
def _draw_stock_left(arg):
    record, _sep, unit = arg.partition(":")
    if not record.isdigit():
        return ""
    level = page_cache.kept(
        f"stock-left:{record}", page_cache.stock_tag(record), lambda: _level(int(record))
    )
    return escape(stock_left_text(level, unit))
