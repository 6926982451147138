"""An institution's monthly statement: its orders placed in the month, the households
they reached and the amounts, as a page, a PDF and an XLSX workbook, and the record of
the bank transfer that paid it.

Amounts are read from ``shop.order.money`` (an order's ``due``: goods less cuts and
refunds, plus fees; nothing once cancelled), so the statement's total is the sum of its
orders' amounts due. Households reached come from the household credits of the orders'
runs (``money.credits_for_run``).
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.core.exports import safe_row
from shop.institutions.models import StatementPayment
from shop.order import life, money
from shop.order import status as statuses
from shop.payment.methods import BANK_TRANSFER
from shop.payment.methods import label as method_label

Order = get_model("order", "Order")
ZERO = Decimal("0.00")


class StatementProblem(ValueError):
    """A statement cannot be marked paid; the message is for the coordinator."""


@dataclass(frozen=True)
class StatementRow:
    order: object
    money: money.OrderMoney
    households: int

    @property
    def to_transfer(self):
        return self.money.still_to_pay if self.money.method == BANK_TRANSFER else ZERO


@dataclass(frozen=True)
class Statement:
    institution: object
    month: datetime.date
    rows: list
    households: int
    payments: list

    @property
    def total_due(self):
        return sum((row.money.due for row in self.rows), ZERO)

    @property
    def to_transfer(self):
        return sum((row.to_transfer for row in self.rows), ZERO)

    @property
    def paid_by_transfer(self):
        return sum((payment.amount for payment in self.payments), ZERO)

    @property
    def label(self):
        return f"{self.month:%Y-%m}"


def parse_month(text):
    """The first day of the month ``YYYY-MM`` names, or None."""
    try:
        found = datetime.datetime.strptime(str(text or ""), "%Y-%m").date()
    except ValueError:
        return None
    return found if 2000 <= found.year <= 2100 else None


def month_bounds(month):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime(month.year, month.month, 1), tz)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.datetime.combine(following, datetime.time()), tz)


def orders_of(institution, month):
    start, end = month_bounds(month)
    return list(
        Order.objects.filter(
            institution_link__institution=institution,
            date_placed__gte=start,
            date_placed__lt=end,
        )
        .select_related("run_link__run", "institution_link__placed_by")
        .order_by("date_placed", "pk")
    )


def build(institution, month):
    orders = orders_of(institution, month)
    amounts = money.for_orders(orders)
    per_order, reached = {}, set()
    runs = {order.run_link.run for order in orders if hasattr(order, "run_link")}
    ids = {order.pk for order in orders}
    for run in sorted(runs, key=lambda r: r.pk):
        for credit in money.credits_for_run(run):
            if credit.order_id in ids:
                per_order.setdefault(credit.order_id, set()).add(credit.household_id)
                reached.add(credit.household_id)
    rows = [
        StatementRow(order, amounts[order.pk], len(per_order.get(order.pk, ()))) for order in orders
    ]
    payments = list(StatementPayment.objects.filter(institution=institution, month=month))
    return Statement(institution, month, rows, len(reached), payments)


def months_with_orders(institution):
    """The months (first days) in which the institution placed orders, latest first."""
    dates = Order.objects.filter(institution_link__institution=institution).datetimes(
        "date_placed", "month", order="DESC"
    )
    return [value.date() for value in dates]


def mark_paid(statement, reference, user):
    """The institution's transfer for ``statement`` arrived: each transfer order in it is
    paid what it still owes (``life.paid_by_transfer``) and the transfer is recorded with
    its reference. Raises ``StatementProblem`` when nothing is left to pay."""
    reference = (reference or "").strip()
    if not reference:
        raise StatementProblem(_("请填写转账流水号。"))
    with transaction.atomic():
        total = ZERO
        for row in statement.rows:
            if row.money.method == BANK_TRANSFER and row.order.status != statuses.CANCELLED:
                total += life.paid_by_transfer(row.order, user, reference)
        if total <= 0:
            raise StatementProblem(_("这个月的对账单没有待转账的金额。"))
        return StatementPayment.objects.create(
            institution=statement.institution,
            month=statement.month,
            reference=reference,
            amount=total,
            recorded_by=user,
        )


# --- files ---------------------------------------------------------------------------


def _header():
    return [
        _("订单号"),
        _("下单时间"),
        _("下单人"),
        _("状态"),
        _("付款方式"),
        _("带动农户"),
        _("应付金额"),
        _("待转账"),
    ]


def _cells(row):
    order = row.order
    placed_by = order.institution_link.placed_by
    return [
        order.number,
        timezone.localtime(order.date_placed).strftime("%Y-%m-%d %H:%M"),
        (placed_by.get_full_name() or placed_by.get_username()) if placed_by else "",
        statuses.label(order.status),
        str(method_label(row.money.method)) if row.money.method else "",
        row.households,
        row.money.due,
        row.to_transfer,
    ]


def _title(statement):
    return _("%(name)s %(month)s 月结对账单") % {
        "name": statement.institution.name,
        "month": statement.label,
    }


def _invoice_lines(statement):
    institution = statement.institution
    return [
        _("开票抬头：%(title)s　税号：%(tax)s")
        % {"title": institution.invoice_title, "tax": institution.tax_number},
        _("开户银行：%(bank)s　账号：%(account)s")
        % {"bank": institution.invoice_bank or "—", "account": institution.invoice_account or "—"},
        _("地址、电话：%(address)s %(phone)s")
        % {"address": institution.invoice_address or "—", "phone": institution.invoice_phone},
    ]


def _totals_line(statement):
    return _(
        "共 %(orders)s 单，带动农户 %(households)s 户，应付合计 ¥%(due)s，待转账 ¥%(transfer)s"
    ) % {
        "orders": len(statement.rows),
        "households": statement.households,
        "due": statement.total_due,
        "transfer": statement.to_transfer,
    }


def as_pdf(statement):
    rows = []
    for row in statement.rows:
        cells = _cells(row)
        cells[6] = f"¥{cells[6]}"
        cells[7] = f"¥{cells[7]}"
        rows.append(cells)
    blocks = [("h", _title(statement))]
    blocks += [("p", line) for line in _invoice_lines(statement)]
    blocks.append(("table", _header(), rows))
    blocks.append(("p", _totals_line(statement)))
    for payment in statement.payments:
        blocks.append(
            (
                "p",
                _("已到账 ¥%(amount)s，流水号 %(ref)s")
                % {"amount": payment.amount, "ref": payment.reference},
            )
        )
    # heavy: reportlab/openpyxl, loaded only by the workers that use it
    from fulfilment.documents.pdf import pdf_document

    return pdf_document(_title(statement), blocks)


def as_xlsx(statement):
    from openpyxl import Workbook  # heavy: loaded only by the workers that use it
    from openpyxl.styles import Font  # heavy: loaded only by the workers that use it

    book = Workbook()
    sheet = book.active
    sheet.title = statement.label
    sheet.append(safe_row([_title(statement)]))
    sheet["A1"].font = Font(bold=True, size=13)
    for line in _invoice_lines(statement):
        sheet.append(safe_row([line]))
    sheet.append(_header())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in statement.rows:
        sheet.append(safe_row(_cells(row)))
    sheet.append(
        safe_row(
            [
                _("合计"),
                "",
                "",
                "",
                "",
                statement.households,
                statement.total_due,
                statement.to_transfer,
            ]
        )
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (18, 17, 12, 10, 18, 10, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
