"""Sharing a product where buyers are: WeChat chats and groups.

``short_code`` turns a product id into the few letters of its short link (``/p/<code>``),
which is what the share box, the QR code and the share card carry instead of the long
percent-encoded address of a Chinese product slug. ``share_card`` draws a JPEG (WeChat's
link cards and chats show JPEG and PNG, not WebP): the product photo, its name, price and
village, and a QR code of the short link, in a CJK font from the system (Debian's
``fonts-noto-cjk``).
"""

import io
from pathlib import Path

from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont, ImageOps

from shop.core import links
from shop.core.qr import qr_image

# Crockford's base 32 in lower case: no i, l, o or u to misread.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# Codes start above this, so every code has at least three letters.
OFFSET = 1024
CARD_SIZE = (750, 1000)  # 3:4, shown whole in a chat and as a link card's picture
FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]


def short_code(product_id):
    """The short link code for a product id (and ``product_id`` turns it back)."""
    number = int(product_id) + OFFSET
    code = ""
    while number:
        number, digit = divmod(number, 32)
        code = ALPHABET[digit] + code
    return code


def product_id(code):
    """The product id a short code stands for, or None for anything else."""
    number = 0
    for char in (code or "").lower():
        index = ALPHABET.find(char)
        if index < 0:
            return None
        number = number * 32 + index
    return number - OFFSET if number > OFFSET else None


def short_path(product):
    return reverse("short-link", kwargs={"code": short_code(product.pk)})


def short_url(product):
    """The absolute short link, on the site's public address."""
    return links.absolute(short_path(product))


def font(size):
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    # No CJK font installed: Pillow's own still draws prices and digits.
    return ImageFont.load_default(size)


def _photo(product, size):
    image = product.primary_image()
    original = getattr(image, "original", None)
    if not original:
        return None
    try:
        with original.open("rb") as handle:
            picture = Image.open(handle)
            picture.load()
    except (OSError, ValueError):
        return None
    return ImageOps.fit(picture.convert("RGB"), size)


def _fit_text(draw, text, typeface, width):
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=typeface) <= width:
        return text
    while text and draw.textlength(text + "…", font=typeface) > width:
        text = text[:-1]
    return text + "…"


def share_card(product, price_text, shop_name):
    """JPEG bytes of the product's share card (``CARD_SIZE``)."""
    width, height = CARD_SIZE
    card = Image.new("RGB", CARD_SIZE, "#fbfaf6")
    draw = ImageDraw.Draw(card)
    photo_height = 640
    photo = _photo(product, (width, photo_height))
    if photo is not None:
        card.paste(photo, (0, 0))
    else:
        draw.rectangle((0, 0, width, photo_height), fill="#e8f2e5")
    draw.rectangle((0, photo_height, width, photo_height + 8), fill="#f2a33a")
    text_width = width - 40 - 220
    title = _fit_text(draw, product.get_title(), font(44), text_width)
    draw.text((28, photo_height + 34), title, font=font(44), fill="#1f2a1f")
    draw.text((28, photo_height + 102), price_text, font=font(48), fill="#c0392b")
    village = product.origin_village.full_place if product.origin_village_id else ""
    if village:
        place = _fit_text(draw, village, font(28), text_width)
        draw.text((28, photo_height + 176), place, font=font(28), fill="#667066")
    draw.text((28, height - 62), shop_name, font=font(28), fill="#2f6b3a")
    qr = qr_image(short_url(product), box_size=6, border=2).resize((200, 200))
    card.paste(qr, (width - 220, photo_height + 40))
    buffer = io.BytesIO()
    card.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
