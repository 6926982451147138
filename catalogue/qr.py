"""QR codes for a product's page, made locally (no web service), for market stalls."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(url, box_size=8, border=2):
    """PNG bytes of a QR code pointing at ``url``."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()
