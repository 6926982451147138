"""Giving money back: a whole order or some of its lines.

``refund_lines``/``refund_order`` check the amount against what is left to refund
(paid minus every earlier refund that did not fail, under a row lock on the payment
source, so two clerks clicking at once cannot refund twice), write a ``Refund`` and
commit it *before* Stripe is called. Its id makes the Stripe idempotency key, so
calling ``send`` again (a retry after a timeout) can never refund twice. A
pay-on-pickup order is refunded as cash owed at handover (or less to collect when
it is not paid yet). Every refund is an Oscar payment event with a note saying who.

The delivery side (``fulfilment.shortfalls``, ``fulfilment.supply``) records ``RefundOwed``
rows; ``settle_owed`` pays one back with a ``Refund`` linked to it. The row is marked settled
when that refund succeeds (at once, or later when the retry job or Stripe's webhook reports
it), and stays open, listed on the order's refund page, when it fails.
"""

import logging
from decimal import Decimal

import stripe
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import history
from shop.payment import methods, stripe_client
from shop.payment.processing import PaymentProblem

logger = logging.getLogger(__name__)

Refund = get_model("payment", "Refund")
RefundLine = get_model("payment", "RefundLine")
Source = get_model("payment", "Source")

COUNTED = (Refund.State.PENDING, Refund.State.SUCCEEDED, Refund.State.CASH_OWED)


def refunded_total(source):
    return Refund.objects.filter(source=source, state__in=COUNTED).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0")


def refundable(source):
    """What can still be given back through ``source``."""
    if source.source_type.code == methods.PAY_ON_PICKUP:
        base = source.amount_debited or source.amount_allocated
    else:
        base = source.amount_debited
    return max(Decimal("0"), base - refunded_total(source))


def refunded_quantities(order):
    rows = (
        RefundLine.objects.filter(refund__order=order, refund__state__in=COUNTED)
        .values("line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["line_id"]: row["total"] for row in rows}


def _paying_source(order):
    """The source a refund goes back through: the one with the most left to give back (an
    order whose rest was paid online later has a Stripe source per payment)."""
    sources = list(
        Source.objects.select_for_update()
        .select_related("source_type")
        .filter(order=order)
        .order_by("-amount_debited", "pk")
    )
    source = max(sources, key=refundable) if len(sources) > 1 else next(iter(sources), None)
    if source is None:
        raise PaymentProblem(_("这个订单没有付款记录，无法退款。"))
    return source


def _create(order, amount, reason, user, note, lines, owed=None):
    """Check and write the refund record (committed before any money moves)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise PaymentProblem(_("退款金额要大于 0。"))
    with transaction.atomic():
        source = _paying_source(order)
        left = refundable(source)
        if amount > left:
            raise PaymentProblem(
                _("最多还能退 ¥%(left)s，不能退 ¥%(amount)s。") % {"left": left, "amount": amount}
            )
        cash = source.source_type.code == methods.PAY_ON_PICKUP
        refund = Refund.objects.create(
            order=order,
            source=source,
            amount=amount,
            reason=reason,
            note=note[:200],
            state=Refund.State.CASH_OWED if cash else Refund.State.PENDING,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            owed=owed,
        )
        RefundLine.objects.bulk_create(
            RefundLine(
                refund=refund,
                line=line,
                quantity=quantity,
                amount=(line.unit_price_incl_tax or Decimal("0")) * quantity,
            )
            for line, quantity in lines
        )
        if cash:
            history.payment_event(
                order,
                history.EVENT_CASH_OWED,
                amount,
                reference=f"refund-{refund.pk}",
                lines=lines or None,
                user=user,
                message=_("%(reason)s：应退现金 ¥%(amount)s，取货时退给买家。%(note)s")
                % {"reason": refund.get_reason_display(), "amount": amount, "note": note},
            )
    return refund


def send(refund):
    """Ask Stripe to pay ``refund`` back; safe to call again for a pending refund."""
    if refund.state != Refund.State.PENDING:
        return refund
    if refund.stripe_refund_id:
        # Stripe took the refund and is still working on it: ask how it went. Creating it
        # again with the same key would only replay the first ("pending") answer.
        try:
            result = stripe_client.get_client().v1.refunds.retrieve(refund.stripe_refund_id)
        except stripe.StripeError as error:
            logger.warning("Refund %s: cannot ask Stripe about it: %s", refund.pk, error)
            return refund
        update_from_stripe(stripe_client.as_dict(result), refund=refund)
        refund.refresh_from_db()
        return refund
    source = refund.source
    params = {
        "payment_intent": source.reference,
        "amount": stripe_client.to_fen(refund.amount),
        "reason": "requested_by_customer",
        "metadata": {"order_number": refund.order.number, "refund_id": str(refund.pk)},
    }
    try:
        result = stripe_client.get_client().v1.refunds.create(
            params, {"idempotency_key": refund.idempotency_key}
        )
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("Refund %s left pending: %s", refund.pk, error)
        return refund  # same key next time, so Stripe refunds at most once
    except stripe.StripeError as error:
        Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(
            state=Refund.State.FAILED, failure=str(error.user_message or error)[:200]
        )
        history.note(
            refund.order,
            _("退款 ¥%(amount)s 未成功：%(error)s")
            % {"amount": refund.amount, "error": error.user_message or error},
        )
        refund.refresh_from_db()
        return refund
    update_from_stripe(stripe_client.as_dict(result), refund=refund)
    refund.refresh_from_db()
    return refund


def update_from_stripe(data, refund=None):
    """Apply a Stripe refund object (from the API answer or a webhook) to our record."""
    if refund is None:
        refund_id = (data.get("metadata") or {}).get("refund_id")
        refund = Refund.objects.filter(stripe_refund_id=data.get("id")).first() or (
            Refund.objects.filter(pk=refund_id).first()
            if refund_id and refund_id.isdigit()
            else None
        )
    if refund is None:
        return "unknown-refund"
    status = data.get("status")
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update().select_related("order", "source").get(pk=refund.pk)
        )
        if not refund.stripe_refund_id and data.get("id"):
            refund.stripe_refund_id = data["id"]
            refund.save(update_fields=["stripe_refund_id"])
        if refund.state == Refund.State.SUCCEEDED and status in ("failed", "canceled"):
            return _failed_after_success(refund, data)
        if refund.state != Refund.State.PENDING:
            return "already-settled"
        if status == "succeeded":
            refund.state = Refund.State.SUCCEEDED
            refund.settled_at = timezone.now()
            refund.save(update_fields=["state", "settled_at"])
            _settle_owed_by(refund)
            refund.source.refund(refund.amount, reference=refund.stripe_refund_id, status=status)
            lines = [(rl.line, rl.quantity) for rl in refund.lines.select_related("line")]
            who = refund.created_by.get_username() if refund.created_by else _("系统")
            history.payment_event(
                refund.order,
                history.EVENT_REFUNDED,
                refund.amount,
                reference=refund.stripe_refund_id,
                lines=lines or None,
                user=refund.created_by,
                message=_("已退款 ¥%(amount)s（%(reason)s，%(who)s 操作）%(note)s")
                % {
                    "amount": refund.amount,
                    "reason": refund.get_reason_display(),
                    "who": who,
                    "note": refund.note,
                },
            )
            return "refunded"
        if status in ("failed", "canceled"):
            refund.state = Refund.State.FAILED
            refund.failure = (data.get("failure_reason") or status)[:200]
            refund.save(update_fields=["state", "failure"])
            history.note(
                refund.order,
                _("退款 ¥%(amount)s 未成功（%(why)s）")
                % {"amount": refund.amount, "why": refund.failure},
            )
            return "refund-failed"
    return "refund-pending"


def _failed_after_success(refund, data):
    """Stripe can report a refund failed after it succeeded (the buyer's account was
    closed): the money is back in our balance, so the books and the debt reopen."""
    refund.state = Refund.State.FAILED
    refund.failure = (data.get("failure_reason") or data.get("status"))[:200]
    refund.save(update_fields=["state", "failure"])
    source = Source.objects.select_for_update().get(pk=refund.source_id)
    source.amount_refunded -= refund.amount
    source.save(update_fields=["amount_refunded"])
    source._create_transaction(
        source.transactions.model.REFUND, -refund.amount, refund.stripe_refund_id, "failed"
    )
    if refund.owed_id:
        type(refund).owed.field.related_model.objects.filter(pk=refund.owed_id).update(
            settled_at=None, reference=""
        )
    history.note(
        refund.order,
        _("退款 ¥%(amount)s 被退回，买家没有收到（%(why)s），需要另行退款。")
        % {"amount": refund.amount, "why": refund.failure},
    )
    return "refund-failed"


def _settle_owed_by(refund):
    """Mark the ``RefundOwed`` that ``refund`` pays back as settled, once it went through."""
    if not refund.owed_id or refund.state not in (Refund.State.SUCCEEDED, Refund.State.CASH_OWED):
        return
    type(refund).owed.field.related_model.objects.filter(
        pk=refund.owed_id, settled_at__isnull=True
    ).update(
        settled_at=refund.settled_at or timezone.now(),
        reference=refund.stripe_refund_id or f"refund-{refund.pk}",
    )


def open_owed(order):
    """Refunds owed on ``order`` that are not paid back yet, each with its latest refund
    (a failed one says why), for the team's refund page."""
    rows = list(order.refunds_owed.filter(settled_at__isnull=True).prefetch_related("refunds"))
    for row in rows:
        attempts = sorted(row.refunds.all(), key=lambda refund: refund.pk)
        row.last_refund = attempts[-1] if attempts else None
    return rows


def refund_amount(order, amount, reason, user=None, note="", lines=()):
    refund = _create(order, amount, reason, user, note, list(lines))
    return send(refund)


def refund_lines(order, lines_with_qty, reason, user=None, note=""):
    """Refund ``[(order line, quantity)]`` of ``order`` at the price paid per unit."""
    done = refunded_quantities(order)
    lines = []
    amount = Decimal("0")
    for line, quantity in lines_with_qty:
        quantity = int(quantity)
        if quantity <= 0:
            continue
        if line.order_id != order.pk:
            raise PaymentProblem(_("这一行不属于这个订单。"))
        left = line.quantity - done.get(line.pk, 0)
        if quantity > left:
            raise PaymentProblem(
                _("“%(title)s”最多还能退 %(left)s 件。") % {"title": line.title, "left": left}
            )
        lines.append((line, quantity))
        amount += (line.unit_price_incl_tax or Decimal("0")) * quantity
    if not lines:
        raise PaymentProblem(_("请至少选择一件要退的商品。"))
    return refund_amount(order, amount, reason, user=user, note=note, lines=lines)


def refund_order(order, reason, user=None, note=""):
    """Refund whatever is still refundable on ``order`` (lines and delivery fee)."""
    with transaction.atomic():
        source = _paying_source(order)
        left = refundable(source)
    if left <= 0:
        raise PaymentProblem(_("这个订单已经全部退款。"))
    done = refunded_quantities(order)
    lines = [(line, line.quantity - done.get(line.pk, 0)) for line in order.lines.all()]
    lines = [(line, qty) for line, qty in lines if qty > 0]
    return refund_amount(order, left, reason, user=user, note=note, lines=lines)


def settle_owed(owed, user=None):
    """Pay back a ``fulfilment.RefundOwed`` (shortfall, cancelled run).

    The row is marked settled when its refund succeeds, now or when Stripe reports it
    later. A refund still under way is asked about again, never doubled; after a failed
    one, calling this again starts a new refund. Returns the ``Refund``; a row already
    settled returns None and sends nothing.
    """
    with transaction.atomic():
        row = type(owed).objects.select_for_update().get(pk=owed.pk)
        if row.settled_at:
            owed.refresh_from_db()
            return None
        refund = row.refunds.filter(state__in=COUNTED).order_by("pk").first()
        if refund is None:
            reason = Refund.Reason.SHORTFALL if row.shortfall_id else Refund.Reason.CANCELLED
            if row.line_id and not row.shortfall_id:  # a line weighed lighter (shop.order.weighing)
                reason = Refund.Reason.OTHER
            refund = _create(row.order, row.amount, reason, user, row.reason, [], owed=row)
    refund = send(refund)
    _settle_owed_by(refund)
    owed.refresh_from_db()
    return refund
