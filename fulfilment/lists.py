"""The team's paperwork for a run: collection list, packing list and run sheet.

Each builder returns plain rows used three ways: the HTML page, a PDF (reportlab, with a
CJK TrueType font embedded so it prints the same on any printer or phone; see ``FONT_FILES``)
and an XLSX workbook (openpyxl).
"""

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import units
from fulfilment import receipt, routing
from fulfilment.itinerary import ordered_stops
from shop.core.exports import safe_row
from shop.core.qr import qr_png
from shop.order import money

logger = logging.getLogger(__name__)


@dataclass
class PackedOrder:
    link: object
    number: str
    name: str
    phone: str
    destination: str
    items: list = field(default_factory=list)  # (title, quantity, unit)
    cash: Decimal = Decimal("0")
    money: object = None  # the order's OrderMoney


def _unit(product):
    return units.label(product)


def packed_order(link):
    order = link.order
    address = order.shipping_address
    if link.pickup_id:
        destination = f"{link.pickup.point.name} {link.pickup.window_label}"
    else:
        destination = _("送货上门：%(address)s") % {"address": address.summary if address else ""}
    packed = PackedOrder(
        link=link,
        number=order.number,
        name=address.first_name if address else "",
        phone=str(address.phone_number or "") if address else "",
        destination=destination,
    )
    order_money = money.of(order)
    for line in order.lines.all():
        left = line.quantity - order_money.cut_units.get(line.pk, 0)
        if left > 0:
            packed.items.append((line.title, left, _unit(line.product)))
    packed.cash = order_money.cash_to_collect
    packed.money = order_money
    return packed


def collection_list(run):
    """Households in driving order with what to collect from each."""
    rows = []
    for stop in ordered_stops(run):
        if stop.kind != routing.HOUSEHOLD:
            continue
        rows.append(
            {
                "stop": stop,
                "items": [
                    (a.product.get_title(), a.quantity, _unit(a.product)) for a in stop.allocations
                ],
                "collected": all(a.collected_at for a in stop.allocations if a.pk),
            }
        )
    return rows


def packing_list(run):
    """Orders grouped by where they are handed over, in driving order."""
    orders = []
    for stop in ordered_stops(run):
        orders.extend(packed_order(link) for link in stop.links)
    return orders


def run_sheet(run):
    rows = []
    for number, stop in enumerate(ordered_stops(run), start=1):
        rows.append(
            {
                "number": number,
                "stop": stop,
                "collect": [
                    (a.product.get_title(), a.quantity, _unit(a.product)) for a in stop.allocations
                ],
                "orders": [packed_order(link) for link in stop.links],
            }
        )
    return rows


# --- tables shared by PDF and XLSX ------------------------------------------------


def _items_text(items):
    return "，".join(f"{title} {qty}{unit}" for title, qty, unit in items)


def _time(value):
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def table(kind, run):
    """(title, header, rows) for ``kind`` in collection / packing / sheet."""
    if kind == "collection":
        header = [_("顺序"), _("农户"), _("电话"), _("地址"), _("要收的货")]
        rows = [
            [n, r["stop"].title, r["stop"].phone, r["stop"].address, _items_text(r["items"])]
            for n, r in enumerate(collection_list(run), start=1)
        ]
        return _("收货单"), header, rows
    if kind == "packing":
        header = [_("订单号"), _("收货人"), _("手机"), _("交货地点"), _("装袋")]
        rows = [
            [o.number, o.name, o.phone, o.destination, _items_text(o.items)]
            for o in packing_list(run)
        ]
        return _("装袋单"), header, rows
    header = [_("站"), _("时间"), _("地点"), _("联系人/电话"), _("交接"), _("代收现金")]
    rows = []
    for row in run_sheet(run):
        stop = row["stop"]
        if row["collect"]:
            rows.append(
                [
                    row["number"],
                    _time(stop.arrival),
                    f"{stop.title} {stop.address}",
                    stop.phone,
                    _("收：") + _items_text(row["collect"]),
                    "",
                ]
            )
        elif not row["orders"]:
            rows.append([row["number"], _time(stop.arrival), stop.title, "", "", ""])
        for order in row["orders"]:
            rows.append(
                [
                    row["number"],
                    _time(stop.arrival),
                    f"{stop.title} {stop.address}",
                    f"{order.name} {order.phone}",
                    _("交：%(n)s %(items)s")
                    % {"n": order.number, "items": _items_text(order.items)},
                    order.cash if order.cash else "",  # a number in the workbook
                ]
            )
    return _("行车单"), header, rows


def as_xlsx(kind, run):
    from openpyxl import Workbook  # heavy: loaded only by the workers that use it
    from openpyxl.styles import Font  # heavy: loaded only by the workers that use it

    title, header, rows = table(kind, run)
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(safe_row([f"{run.team.name} {run} {title}"]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for column, width in zip("ABCDEF", (10, 16, 18, 30, 48, 10), strict=False):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    from reportlab.pdfbase import pdfmetrics  # heavy: loaded only by the workers that use it

    registered = pdfmetrics.getRegisteredFontNames()
    if FONT in registered:
        return FONT
    for path, index in FONT_FILES:
        if Path(path).exists():
            from reportlab.pdfbase.ttfonts import (
                TTFont,  # heavy: loaded only by the workers that use it
            )

            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
            return FONT
    if FALLBACK_FONT not in registered:
        from reportlab.pdfbase.cidfonts import (
            UnicodeCIDFont,  # heavy: loaded only by the workers that use it
        )

        logger.warning("no CJK TrueType font installed (apt-get install fonts-wqy-zenhei)")
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def pdf_document(title, blocks):
    """A4 PDF from ``blocks``: ("h", text), ("p", text) or ("table", header, rows)."""
    from reportlab.lib import colors  # heavy: loaded only by the workers that use it
    from reportlab.lib.pagesizes import A4  # heavy: loaded only by the workers that use it
    from reportlab.lib.styles import ParagraphStyle  # heavy: loaded only by the workers that use it
    from reportlab.lib.units import mm  # heavy: loaded only by the workers that use it
    from reportlab.platypus import (  # heavy: loaded only by the workers that use it
        Flowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

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


def _receipt_qr(order):
    """The QR code of the order's public receipt, as a PDF image 24 mm wide."""
    from reportlab.lib.units import mm  # heavy: loaded only by the workers that use it
    from reportlab.platypus import Image  # heavy: loaded only by the workers that use it

    png = qr_png(receipt.url_for(order), box_size=4, border=1)
    return Image(io.BytesIO(png), width=24 * mm, height=24 * mm)


def as_pdf(kind, run):
    title, header, rows = table(kind, run)
    blocks = [
        ("h", f"{run.team.name} · {run} · {title}"),
        (
            "p",
            _("出发：%(time)s %(place)s")
            % {
                "time": timezone.localtime(run.departure).strftime("%Y-%m-%d %H:%M"),
                "place": run.start_label,
            },
        ),
    ]
    if kind == "packing":
        # One label per order, big enough to cut out and tape on the bag; its QR code opens
        # the order's public receipt (钱去了哪里, ``fulfilment.receipt``).
        for order in packing_list(run):
            blocks.append(
                (
                    "table",
                    [_("订单号 %(n)s") % {"n": order.number}, ""],
                    [
                        [_("收货人"), f"{order.name} {order.phone}"],
                        [_("交货"), order.destination],
                        [_("装袋"), _items_text(order.items)],
                        [_("扫码看钱去了哪里"), _receipt_qr(order.link.order)],
                    ],
                )
            )
    else:
        blocks.append(("table", header, rows))
    return pdf_document(title, blocks)
