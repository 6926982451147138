"""Product and story pictures drawn locally with Pillow: no downloads, no fonts needed."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

PALETTES = {
    "eggs": ("#f6ead2", "#c98b4a", "#fff8ec"),
    "poultry": ("#e7f0dc", "#a4552a", "#f2c14e"),
    "vegetables": ("#eef6e6", "#3f8f3a", "#8cc152"),
    "fruit": ("#fff4e0", "#e0662a", "#f5b041"),
    "grain": ("#f8f1de", "#c9a227", "#8a6d1d"),
    "dried": ("#f3ece4", "#7b4a2a", "#b07d52"),
    "story": ("#dfeee0", "#2f6b3a", "#f2a33a"),
}


def _egg(draw, cx, cy, r, fill, outline):
    draw.ellipse(
        (cx - r * 0.78, cy - r, cx + r * 0.78, cy + r * 0.9), fill=fill, outline=outline, width=3
    )


def _chicken(draw, cx, cy, s, body, comb):
    draw.ellipse((cx - s, cy - s * 0.7, cx + s, cy + s * 0.7), fill=body)
    draw.ellipse((cx + s * 0.5, cy - s * 1.2, cx + s * 1.2, cy - s * 0.4), fill=body)
    draw.polygon(
        [
            (cx + s * 1.2, cy - s * 0.85),
            (cx + s * 1.55, cy - s * 0.75),
            (cx + s * 1.2, cy - s * 0.65),
        ],
        fill="#e8a33d",
    )
    draw.ellipse((cx + s * 0.75, cy - s * 1.45, cx + s * 1.05, cy - s * 1.1), fill=comb)
    draw.polygon(
        [(cx - s, cy - s * 0.2), (cx - s * 1.6, cy - s * 0.9), (cx - s * 1.3, cy + s * 0.1)],
        fill=body,
    )
    draw.line((cx - s * 0.2, cy + s * 0.6, cx - s * 0.3, cy + s * 1.2), fill="#e8a33d", width=5)
    draw.line((cx + s * 0.3, cy + s * 0.6, cx + s * 0.35, cy + s * 1.2), fill="#e8a33d", width=5)


def _leaf(draw, cx, cy, s, fill):
    draw.ellipse((cx - s * 0.45, cy - s, cx + s * 0.45, cy + s), fill=fill)
    draw.line((cx, cy - s, cx, cy + s), fill="#2d6a2d", width=3)


def _fruit(draw, cx, cy, r, fill):
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    draw.ellipse((cx - r * 0.5, cy - r * 0.6, cx - r * 0.1, cy - r * 0.25), fill="#ffffff")
    draw.line((cx, cy - r, cx + 6, cy - r - 14), fill="#5b3a1e", width=4)


def draw_picture(kind, seed, size=600, fmt="WEBP"):
    """Return image bytes for a product kind; ``seed`` varies the layout per product."""
    rng = random.Random(seed)
    bg, main, accent = PALETTES.get(kind, PALETTES["story"])
    img = Image.new("RGB", (size, size), bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, size * 0.72, size, size), fill=accent if kind == "story" else "#d9c7a0")
    if kind == "eggs":
        for _ in range(rng.randint(5, 9)):
            _egg(
                draw,
                rng.randint(90, size - 90),
                rng.randint(200, size - 150),
                rng.randint(45, 70),
                rng.choice(["#fbf3e4", "#f0d9b5", "#e9c89a"]),
                main,
            )
    elif kind == "poultry":
        for _ in range(rng.randint(1, 3)):
            _chicken(
                draw,
                rng.randint(150, size - 200),
                rng.randint(260, 380),
                rng.randint(60, 95),
                rng.choice([main, "#7a3b1b", "#d9a066", "#fafafa"]),
                "#d62828",
            )
    elif kind in ("vegetables", "dried"):
        for _ in range(rng.randint(6, 12)):
            _leaf(
                draw,
                rng.randint(60, size - 60),
                rng.randint(120, size - 160),
                rng.randint(50, 110),
                rng.choice([main, accent, "#5aa24a", "#2e7d32"]),
            )
    elif kind in ("fruit", "grain"):
        for _ in range(rng.randint(4, 8)):
            _fruit(
                draw,
                rng.randint(90, size - 90),
                rng.randint(150, size - 150),
                rng.randint(40, 85),
                rng.choice([main, accent, "#d35400", "#27ae60"]),
            )
    else:
        draw.polygon(
            [(0, size * 0.72), (size * 0.35, size * 0.35), (size * 0.7, size * 0.72)], fill=main
        )
        draw.polygon(
            [(size * 0.4, size * 0.72), (size * 0.75, size * 0.42), (size, size * 0.72)],
            fill="#4f8f4a",
        )
        draw.ellipse((size * 0.72, size * 0.08, size * 0.9, size * 0.26), fill="#f7d774")
        for _ in range(rng.randint(3, 6)):
            x = rng.randint(40, size - 80)
            draw.rectangle((x, size * 0.62, x + 50, size * 0.72), fill="#f4efe6")
            draw.polygon(
                [(x - 8, size * 0.62), (x + 25, size * 0.55), (x + 58, size * 0.62)], fill="#9c4a2f"
            )
    img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, fmt, quality=82)
    return buf.getvalue()
