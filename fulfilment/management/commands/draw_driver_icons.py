"""Draw the driver app's home-screen icons into static/img/ (driver-192.png, driver-512.png).

The PNGs are committed; run this again only to change the drawing. Pillow only, no fonts:
a white car with a green egg in its boot on the shop's green.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

GREEN = (47, 107, 58, 255)
WHITE = (255, 255, 255, 255)
EGG = (244, 226, 186, 255)
SIZES = (192, 512)


def draw(size):
    scale = 4  # draw large, shrink for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), GREEN)
    pen = ImageDraw.Draw(image)

    def box(x0, y0, x1, y1):
        return [round(v * big) for v in (x0, y0, x1, y1)]

    # Car body and cabin (kept inside the maskable safe zone, the middle 80 %).
    pen.rounded_rectangle(box(0.18, 0.46, 0.82, 0.66), radius=big // 28, fill=WHITE)
    pen.polygon(
        [
            (round(x * big), round(y * big))
            for x, y in ((0.3, 0.47), (0.38, 0.33), (0.6, 0.33), (0.7, 0.47))
        ],
        fill=WHITE,
    )
    pen.polygon(
        [
            (round(x * big), round(y * big))
            for x, y in ((0.36, 0.46), (0.41, 0.37), (0.48, 0.37), (0.48, 0.46))
        ],
        fill=GREEN,
    )
    pen.polygon(
        [
            (round(x * big), round(y * big))
            for x, y in ((0.51, 0.46), (0.51, 0.37), (0.58, 0.37), (0.64, 0.46))
        ],
        fill=GREEN,
    )
    for x in (0.32, 0.68):
        pen.ellipse(box(x - 0.075, 0.59, x + 0.075, 0.74), fill=GREEN)
        pen.ellipse(box(x - 0.05, 0.615, x + 0.05, 0.715), fill=WHITE)
    # An egg on the roof: what the car carries.
    pen.ellipse(box(0.43, 0.13, 0.57, 0.31), fill=EGG)
    return image.resize((size, size), Image.LANCZOS)


class Command(BaseCommand):
    help = "Draw the driver app's icons into static/img/."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static" / "img"
        for size in SIZES:
            path = folder / f"driver-{size}.png"
            draw(size).save(path, optimize=True)
            self.stdout.write(f"{path} ({size} px)")
