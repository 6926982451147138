"""A4 PDFs drawn with reportlab, with a CJK TrueType font embedded so a paper prints the
same on any printer or phone (see ``FONT_FILES``)."""

import io
import logging
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

logger = logging.getLogger(__name__)

FONT = "CJK"
FONT_FILES = (
    # (path, index of the face in a .ttc). reportlab embeds TrueType outlines only, so the
    # CFF-based Noto CJK .ttc cannot be used; WenQuanYi Zen Hei (Debian fonts-wqy-zenhei,
    # installed by `make browser-deps` and .ci/run) has every Chinese character and "·".
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
FALLBACK_FONT = "STSong-Light"


def _register_font():
    """Register and return the PDF font name: the first installed ``FONT_FILES`` entry, embedded
    as a subset; without one, reportlab's built-in CID font, which is not embedded (readers
    substitute their own, some with empty boxes for "·"), and a warning in the log."""
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT in registered:
        return FONT
    for path, index in FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
            return FONT
    if FALLBACK_FONT not in registered:
        logger.warning("no CJK TrueType font installed (apt-get install fonts-wqy-zenhei)")
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def pdf_document(title, blocks):
    """A4 PDF from ``blocks``: ("h", text), ("p", text) or ("table", header, rows)."""
    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=14, leading=18, spaceAfter=6)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    flow = []
    for block in blocks:
        if block[0] == "h":
            flow.append(Paragraph(str(block[1]), heading))
        elif block[0] == "p":
            flow.append(Paragraph(str(block[1]), body))
            flow.append(Spacer(1, 3 * mm))
        else:
            _, header, rows = block
            data = [
                [cell if isinstance(cell, Flowable) else Paragraph(str(cell), body) for cell in row]
                for row in [header, *rows]
            ]
            grid = Table(data, repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            flow.append(grid)
            flow.append(Spacer(1, 4 * mm))
    doc.build(flow)
    return out.getvalue()
