"""Template helpers for prices per unit of sale."""

from django import template
from oscar.templatetags.currency_filters import currency

register = template.Library()


@register.filter
def unit_label(product):
    """The unit a product is sold in (斤, 枚, 只…), translated."""
    unit = getattr(product, "unit", "")
    if not unit and getattr(product, "parent", None):
        unit = product.parent.unit
    return product.get_unit_display() if unit else ""


@register.simple_tag
def price_per_unit(price, product):
    """``¥12.00 / 斤`` for a purchase-info price."""
    if price is None or not getattr(price, "exists", False):
        return ""
    label = unit_label(product)
    amount = currency(price.incl_tax if price.is_tax_known else price.excl_tax, price.currency)
    return f"{amount} / {label}" if label else amount


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """The current page in another language (``/x/`` ↔ ``/en/x/``), falling back to home."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/"
    url = translate_url(request.get_full_path(), language)
    if url == request.get_full_path() and language != getattr(request, "LANGUAGE_CODE", None):
        return "/en/" if language == "en" else "/"
    return url
