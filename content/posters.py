"""Printable posters: a QR code made here, on this machine, from the page's address."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe


def qr_svg(url):
    """The QR code for ``url`` as inline SVG markup (no network, no image file)."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    return mark_safe(svg.strip())
