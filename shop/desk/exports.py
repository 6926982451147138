"""Report tables as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (openpyxl)."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from shop.core.exports import safe_row
from shop.desk.reports import REPORTS, SalesReport


def header():
    return [_("项目"), _("数量"), _("金额（元）"), _("订单数")]


def table(rows, total):
    body = [[str(r.label), r.quantity, r.amount, r.orders] for r in rows]
    return body + [[str(total.label), total.quantity, total.amount, total.orders]]


def csv_bytes(title, rows, total):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row([title]))
    writer.writerow(header())
    for line in table(rows, total):
        writer.writerow(
            safe_row(f"{cell:.2f}" if hasattr(cell, "quantize") else cell for cell in line)
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title, rows, total):
    # heavy: loaded only by the workers that use it (the Celery task that writes exports)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(safe_row([title]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header())
    for line in table(rows, total):
        sheet.append(safe_row(line))
    last = sheet.max_row
    for cell in sheet[last]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["C"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_file(export):
    """The bytes and download name of a queued ``ReportExport``, in the asker's scope."""

    data = SalesReport(team_ids=export.team_ids, date_from=export.date_from, date_to=export.date_to)
    rows, total = data.rows(export.report), data.total()
    title = str(REPORTS[export.report])
    content = (
        csv_bytes(title, rows, total) if export.fmt == "csv" else xlsx_bytes(title, rows, total)
    )
    stamp = timezone.localdate(export.created).isoformat()
    return f"report-{export.report}-{stamp}.{export.fmt}", content
