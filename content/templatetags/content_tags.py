"""Helpers for content templates: absolute URLs for sharing, impact charts, team links."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from content import impact
from content.selectors import stories_for_product

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """``url`` made absolute against the current request (for og:url, og:image, QR codes)."""
    request = context.get("request")
    if not url:
        return ""
    if url.startswith(("http://", "https://")) or request is None:
        return url
    return request.build_absolute_uri(url)


def _public_url(names, kwargs, fallback):
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    prefix = "/en" if get_language() == "en" else ""
    return f"{prefix}{fallback}"


@register.simple_tag
def team_url(team):
    """The team's public page in the shop (built by the catalogue app)."""
    slug = team.slug or team.code
    return _public_url(["origin:team"], {"slug": slug}, f"/shop/teams/{slug}/")


@register.simple_tag
def village_url(village):
    return _public_url(
        ["origin:village"], {"slug": village.slug}, f"/shop/villages/{village.slug}/"
    )


@register.simple_tag
def impact_chart(rows, metric, title):
    return impact.bar_chart_svg(rows, metric, str(title))


@register.filter
def figure_number(value, metric):
    if metric in ("income",):
        return f"{value:,.2f}"
    if metric == "kilograms":
        return f"{value:,.1f}"
    return f"{value:,}"


@register.simple_tag
def stories_for(product, known=None):
    """Live stories that talk about ``product``, unless the view already fetched them."""

    if known is not None:
        return known
    return stories_for_product(product)
