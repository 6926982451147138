"""The rule for a stock level a person types (the team's phone form, the dashboard's
spreadsheet import): never below 0, never absurd, never below what buyers already hold
(``num_allocated``, raised by ``shop.partner.reservations``). A level is written on the
stock row locked ``FOR UPDATE`` and saved with ``update_fields``, so a reservation made
meanwhile waits and is never written over."""

from django.utils.translation import gettext as _

SET, ADD, SUBTRACT = "set", "add", "subtract"
MAX_LEVEL = 1_000_000


class StockError(Exception):
    """A stock change that would sell what is not there; the message is for the team."""


def new_level(current, allocated, mode, amount, unit=""):
    """The stock level after ``mode`` (set/add/subtract) by ``amount``, or ``StockError``."""
    level = {SET: amount, ADD: current + amount, SUBTRACT: current - amount}[mode]
    if level < 0:
        raise StockError(_("库存不能少于 0。"))
    if level > MAX_LEVEL:
        raise StockError(_("库存数量太大了。"))
    if level < allocated:
        raise StockError(
            _("已有 %(n)s %(unit)s被买家订下，库存不能少于 %(n)s %(unit)s。")
            % {"n": allocated, "unit": unit}
        )
    return level
