"""A run's collection list, packing list and run sheet as the team prints them (PDF) or
works on them (XLSX); the rows come from ``fulfilment.lists``."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm
from reportlab.platypus import Image

from fulfilment import lists, receipt
from fulfilment.documents.pdf import pdf_document
from shop.core.exports import safe_row
from shop.core.qr import qr_png


def as_xlsx(kind, run):
    title, header, rows = lists.table(kind, run)
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


def _receipt_qr(order):
    """The QR code of the order's public receipt, as a PDF image 24 mm wide."""
    png = qr_png(receipt.url_for(order), box_size=4, border=1)
    return Image(io.BytesIO(png), width=24 * mm, height=24 * mm)


def as_pdf(kind, run):
    title, header, rows = lists.table(kind, run)
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
        for order in lists.packing_list(run):
            blocks.append(
                (
                    "table",
                    [_("订单号 %(n)s") % {"n": order.number}, ""],
                    [
                        [_("收货人"), f"{order.name} {order.phone}"],
                        [_("交货"), order.destination],
                        [_("装袋"), lists.items_text(order.items)],
                        [_("扫码看钱去了哪里"), _receipt_qr(order.link.order)],
                    ],
                )
            )
    else:
        blocks.append(("table", header, rows))
    return pdf_document(title, blocks)
