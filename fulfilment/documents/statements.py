"""A household's payout statement (``fulfilment.payouts.Statement``) as a PDF: the lines,
the fee and what is paid, and a line to sign when it is not paid yet."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import payouts
from fulfilment.documents.pdf import pdf_document


def as_pdf(statement, title, name):
    """One statement as a PDF (the team's print, signed by ``name``; the household's own
    page prints it with its public name)."""
    rows = [
        [
            line.run.date.strftime("%m-%d"),
            line.product.get_title(),
            line.quantity,
            f"{line.unit_price:.2f}",
            f"{line.amount:.2f}",
        ]
        for line in statement.lines
    ]
    blocks = [
        ("h", _("%(name)s 结算单") % {"name": name}),
        ("p", title),
        ("table", [_("日期"), _("产品"), _("数量"), _("单价"), _("金额")], rows),
        (
            "p",
            _("合计 ¥%(gross)s，扣除服务费 ¥%(fee)s（%(pct)s%%），应付 ¥%(net)s")
            % {
                "gross": statement.gross,
                "fee": statement.fee,
                "pct": payouts.fee_percent(),
                "net": statement.net,
            },
        ),
        (
            "p",
            _("已于 %(at)s 付清")
            % {"at": timezone.localtime(statement.paid.paid_at).strftime("%Y-%m-%d %H:%M")}
            if statement.paid
            else _("农户签字：＿＿＿＿＿＿　日期：＿＿＿＿＿＿"),
        ),
    ]
    return pdf_document(title, blocks)
