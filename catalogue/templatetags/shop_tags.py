"""Template helpers for prices per unit of sale."""

import functools

from django import template
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.templatetags.currency_filters import currency

from catalogue import live, units

register = template.Library()


@register.filter
def unit_label(product):
    """The unit a product is sold in (斤, 枚, 只…), translated (``catalogue.units``)."""
    return units.label(product)


@register.filter
def in_unit(quantity, product):
    """``{{ line.quantity|in_unit:line.product }}``: ``3 箱`` (``3 boxes``)."""
    return units.amount(quantity, product)


@register.simple_tag
def stock_left(record, product):
    """下一趟配送还剩 30 枚, drawn again on every answer from the page cache
    (``catalogue.live``)."""
    return mark_safe(live.stock_left(record, product))  # noqa: S308 (escaped in live)


@register.filter
def weight_note(product):
    """``约 3 斤/只，¥40.00/斤，按实重结算，多退少补`` for a product priced by weight
    (``catalogue.units.weight_note``); empty otherwise."""
    return units.weight_note(product)


@register.filter
def jin(weight):
    """``3.4 斤`` (``3.4 jin``)."""
    return units.jin(weight) if weight not in (None, "") else ""


@register.filter
def unsigned(amount):
    """An amount without its sign, for a line that says "−" itself."""
    return abs(amount) if amount is not None else amount


@register.simple_tag
def price_per_unit(price, product):
    """``¥12.00 / 斤`` for a purchase-info price."""
    if price is None or not getattr(price, "exists", False):
        return ""
    label = unit_label(product)
    amount = currency(price.incl_tax if price.is_tax_known else price.excl_tax, price.currency)
    return f"{amount} / {label}" if label else amount


@functools.lru_cache(maxsize=512)
def _translated(path, language, current_language):
    """``translate_url`` (a resolve and a reverse) once per page, language and worker:
    every uncached page's header asks it. ``current_language`` is only part of the key:
    the path is resolved in it."""

    return translate_url(path, language)


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """The current page in another language (``/x/`` ↔ ``/en/x/``), falling back to home."""
    request = context.get("request")
    if request is None:
        return "/"
    url = _translated(request.get_full_path(), language, get_language())
    if url == request.get_full_path() and language != getattr(request, "LANGUAGE_CODE", None):
        return "/en/" if language == "en" else "/"
    return url
