"""QR codes, made locally (no web service): PNG for a product's page at market stalls and
on printed lists, inline SVG for posters, receipts and a household's card."""

import io

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe
from qrcode.constants import ERROR_CORRECT_M


def qr_image(url, box_size=8, border=2):
    """A Pillow image (RGB) of a QR code pointing at ``url``."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(url, box_size=8, border=2):
    """PNG bytes of a QR code pointing at ``url``."""
    buf = io.BytesIO()
    qr_image(url, box_size, border).save(buf, format="PNG")
    return buf.getvalue()


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
