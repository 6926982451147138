"""Responsive product photos: WebP renditions at a few widths, for ``srcset``.

Renditions come from sorl-thumbnail. Its key-value store (the default
``cached_db_kvstore``) remembers every rendition made, in the cache and the
``thumbnail_kvstore`` table, so a page view after the first only looks the
renditions up; it never re-encodes an image. ``manage.py thumbnail clear``
forgets them if the originals change on disk.
"""

import logging

from django import template
from sorl.thumbnail import get_thumbnail

register = template.Library()
logger = logging.getLogger(__name__)

WIDTHS = (300, 600, 900)


@register.simple_tag
def responsive_image(image_field, widths=WIDTHS, crop="center"):
    """``{"src", "srcset", "width", "height"}`` for a square photo, falling back to the original."""
    if not image_field:
        return None
    try:
        renditions = [
            get_thumbnail(image_field, f"{w}x{w}", crop=crop, format="WEBP", quality=80)
            for w in widths
        ]
        middle = renditions[len(renditions) // 2]
        result = {
            "src": middle.url,
            "srcset": ", ".join(f"{r.url} {r.width}w" for r in renditions),
            "width": middle.width,
            "height": middle.height,
        }
    except Exception:  # a broken upload must not break the product page
        logger.warning("Could not make renditions for %s", image_field, exc_info=True)
        return {"src": getattr(image_field, "url", ""), "srcset": "", "width": None, "height": None}
    return result


@register.simple_tag
def card_image(image_field):
    """A product card's photo: half the phone screen, or a quarter of a wide one."""
    return responsive_image(image_field, widths=(300, 600))


@register.simple_tag
def small_photo(image_field, size):
    """A square WebP rendition ``size`` pixels wide (twice the shown size, for sharp phone
    screens), or ``None``: a household's photo is never served as the uploaded original,
    which may be a 40-megapixel file."""
    if not image_field:
        return None
    try:
        return get_thumbnail(
            image_field, f"{size}x{size}", crop="center", format="WEBP", quality=80
        )
    except Exception:  # an unreadable upload shows no photo rather than breaking the page
        logger.warning("Could not make a rendition of %s", image_field, exc_info=True)
        return None
