"""QR codes for a product's page, made locally (no web service), for market stalls."""

import io

import qrcode
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
