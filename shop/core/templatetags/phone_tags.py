"""``tel:`` links a phone can dial: ``{{ phone|tel_href }}``.

Phones are typed by the team as "138 0013 8000" or "0851-8888 1234"; a ``tel:`` address
with spaces is cut at the first one by some WeChat and Android dialers. Oscar's address
phones are ``PhoneNumber`` objects and give their E.164 form (+86...)."""

import re

from django import template

register = template.Library()

_NOT_DIALLED = re.compile(r"[^\d+*#]")


@register.filter
def tel_href(phone):
    """``tel:+8613800138000`` for a phone number or the text of one; "" for none."""
    if not phone:
        return ""
    number = getattr(phone, "as_e164", None) or str(phone)
    number = _NOT_DIALLED.sub("", number)
    if "+" in number[1:]:
        number = number[0] + number[1:].replace("+", "")
    return f"tel:{number}" if number.strip("+") else ""
