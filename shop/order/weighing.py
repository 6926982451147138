"""Lines priced by weight: checking a recorded weight and what it does to the money.

A yard chicken is sold per 只 at an estimate (``catalogue.units.by_weight``: 约 3 斤 at
¥40/斤 is ¥120 a bird). The team records the real weight of a line's birds together at
collection or hand-over; ``shop.order.life.weighed`` calls the parts here in one
transaction:

* ``check`` turns what was typed into a weight, or raises ``WeighingProblem`` with a
  message for the team (nothing is written);
* ``record`` writes or replaces the line's ``fulfilment.LineWeight``: the weight and the
  change it makes (real value less what the estimate charged for the birds delivered).
  Weighing again replaces both, so a line is re-priced once, by its latest weight;
* ``settle`` makes the difference payable: ``shop.order.money`` adds ``LineWeight.amount``
  to what the order is worth, so a pay-on-pickup buyer simply pays the new amount at
  hand-over; money taken already that is now too much is owed back through the usual
  refund path (a ``RefundOwed`` the team pays from the order's refund page, once); an
  order paid online that is now worth more is owed the extra in cash at hand-over (the
  driver card shows it and its "已收款" button takes it, ``OrderMoney.cash_to_collect``).
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import units
from fulfilment.models import LineWeight, RefundOwed
from shop.order import money
from shop.order import owed as owed_back
from shop.order import status as S
from shop.payment.methods import PAY_ON_PICKUP
from shop.payment.processing import source_type


class WeighingProblem(ValueError):
    """Why a weight was not recorded, in the team member's language."""


def pieces_left(line):
    """The pieces of ``line`` the buyer gets: ordered less what shortfalls cut."""
    cut = sum(c.quantity for c in line.cuts.all())
    return max(0, line.quantity - cut)


def rule_for(line):
    """The line's ``WeightRule``, or raise: only lines priced by weight are weighed."""
    rule = units.by_weight(line.product)
    if rule is None:
        raise WeighingProblem(_("这件商品不按重量计价，不用称重。"))
    return rule


def check(line, raw):
    """The weight in 斤 (one decimal) typed for ``line``'s pieces together, or raise
    ``WeighingProblem``: not a number, zero or less, more than a piece can weigh, a line
    cut or cancelled, an order cancelled."""
    rule_for(line)
    if line.order.status == S.CANCELLED or line.status in (S.CANCELLED, S.CUT):
        raise WeighingProblem(_("这一行已取消或缺货，不能称重。"))
    pieces = pieces_left(line)
    if pieces <= 0:
        raise WeighingProblem(_("这一行已取消或缺货，不能称重。"))
    text = str(raw if raw is not None else "").strip().replace("斤", "").replace("，", ".")
    try:
        weight = Decimal(text)
    except (InvalidOperation, ValueError):
        raise WeighingProblem(_("请填写称出的重量（斤），例如 3.4。")) from None
    if not weight.is_finite():
        raise WeighingProblem(_("请填写称出的重量（斤），例如 3.4。"))
    weight = weight.quantize(units.JIN_STEP)
    if weight <= 0:
        raise WeighingProblem(_("重量要大于 0 斤。"))
    most = units.MAX_JIN_PER_PIECE * pieces
    if weight > most:
        raise WeighingProblem(
            _("%(weight)s不对：%(pieces)s最多 %(most)s，请再称一次。")
            % {
                "weight": units.jin(weight),
                "pieces": units.amount(pieces, line.product),
                "most": units.jin(most),
            }
        )
    return weight


def record(line, weight, user=None):
    """Write or replace ``line``'s weight; returns (``LineWeight``, previous weight or
    None)."""
    rule = rule_for(line)
    pieces = pieces_left(line)
    charged = ((line.unit_price_incl_tax or Decimal("0")) * pieces).quantize(Decimal("0.01"))
    amount = rule.value(weight) - charged
    existing = LineWeight.objects.select_for_update().filter(line=line).first()
    previous = existing.weight_jin if existing is not None else None
    values = {
        "weight_jin": weight,
        "pieces": pieces,
        "price_per_jin": rule.price_per_jin,
        "charged": charged,
        "amount": amount,
        "recorded_by": user if getattr(user, "is_authenticated", False) else None,
    }
    if existing is None:
        existing = LineWeight.objects.create(line=line, **values)
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
    return existing, previous


def settle(order, weighing):
    """After ``record``: money taken that is now too much is owed back once. The line's
    earlier refund row, while no refund was tried on it, is replaced; any refund row
    already paid or under way stays and counts. Returns the ``RefundOwed`` or None."""
    earlier = weighing.refund_owed
    if earlier is not None and earlier.settled_at is None and not earlier.refunds.exists():
        weighing.refund_owed = None
        weighing.save(update_fields=["refund_owed"])
        earlier.delete()
    uncovered = owed_back.unclaimed(order)
    if uncovered <= 0 or order.status == S.CANCELLED:
        return None
    row = RefundOwed.objects.create(
        order=order,
        line=weighing.line,
        amount=uncovered,
        reason=_("按实重结算：%(title)s 实重 %(weight)s")
        % {"title": weighing.line.title, "weight": units.jin(weighing.weight_jin)},
    )
    weighing.refund_owed = row
    weighing.save(update_fields=["refund_owed"])
    return row


def cut(line):
    """A shortfall took pieces from ``line``: a weight recorded before was for more birds
    than the buyer gets, so it no longer counts (with its refund row, while no refund was
    tried on it); the line is at its estimate again until it is weighed again."""
    record = LineWeight.objects.filter(line=line).select_related("refund_owed").first()
    if record is None:
        return
    earlier = record.refund_owed
    record.delete()
    if earlier is not None and earlier.settled_at is None and not earlier.refunds.exists():
        earlier.delete()


def extra_cash_source(order):
    """The cash source an order paid online takes the weight's extra on (the driver's
    "已收款" tap); made when first needed."""

    source, _made = get_model("payment", "Source").objects.get_or_create(
        order=order,
        source_type=source_type(PAY_ON_PICKUP),
        defaults={"amount_allocated": Decimal("0"), "currency": order.currency},
    )
    return source


def note_for(line, weighing, previous):
    """The order note the buyer and team read."""
    change = weighing.amount
    if change > 0:
        effect = _("比估重多 ¥%(amount)s") % {"amount": change}
    elif change < 0:
        effect = _("比估重少 ¥%(amount)s") % {"amount": -change}
    else:
        effect = _("与估重价格相同")
    text = _(
        "称重：%(title)s %(pieces)s实重 %(weight)s，按 ¥%(price)s/斤 计 ¥%(value)s，%(effect)s。"
    ) % {
        "title": line.title,
        "pieces": units.amount(weighing.pieces, line.product),
        "weight": units.jin(weighing.weight_jin),
        "price": weighing.price_per_jin,
        "value": weighing.charged + weighing.amount,
        "effect": effect,
    }
    if previous is not None and previous != weighing.weight_jin:
        text += " " + _("（重新称重，原记录 %(weight)s 作废）") % {"weight": units.jin(previous)}
    return text


def lines_to_weigh(run):
    """{order id: [{"line", "rule", "pieces", "estimate", "record"}]} for the lines priced by
    weight on ``run`` that can be weighed (weighed ones too: weighing again replaces), for
    the driver's cards. Three queries for the whole run."""

    lines = (
        get_model("order", "Line")
        .objects.filter(order__run_link__run=run)
        .exclude(order__status=S.CANCELLED)
        .exclude(status__in=(S.CANCELLED, S.CUT))
        .filter(product__price_per_jin__isnull=False)
        .select_related("product", "weighing", "order")
        .prefetch_related("cuts")
        .order_by("order_id", "pk")
    )
    result = {}
    for line in lines:
        rule = units.by_weight(line.product)
        pieces = pieces_left(line)
        if rule is None or pieces <= 0:
            continue
        result.setdefault(line.order_id, []).append(
            {
                "line": line,
                "rule": rule,
                "pieces": pieces,
                "estimate": rule.estimated_jin * pieces,
                "record": getattr(line, "weighing", None),
            }
        )
    return result


def at_households(run, to_weigh):
    """{household stop key (``h12``): [entry of ``to_weigh``]}: the lines each household's
    birds fill (``money.credits_for_run``), so the team can weigh them at collection. A line
    two households fill shows at both; it is weighed once, all its birds together."""
    if not to_weigh:
        return {}
    entries = {entry["line"].pk: entry for rows in to_weigh.values() for entry in rows}
    result = {}
    for credit in money.credits_for_run(run):
        entry = entries.get(credit.line_id)
        rows = result.setdefault(f"h{credit.household_id}", [])
        if entry is not None and entry not in rows:
            rows.append(entry)
    return result
