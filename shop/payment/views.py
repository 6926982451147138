"""Thin HTTP ends of the payment domain: Stripe's webhook and return pages, the team's
"paid at pickup" and refund actions, the buyer's cancel button. The work happens in
``webhooks``, ``stripe_gateway``, ``processing``, ``refunds`` and ``shop.order.cancellation``.
"""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from shop.buyer import links
from shop.order import cancellation, groups, life
from shop.order import status as order_status
from shop.payment import refunds, stripe_gateway, webhooks
from shop.payment.processing import PaymentProblem

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
StripeCheckout = get_model("payment", "StripeCheckout")


# --- Stripe ----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not stripe_gateway.enabled():
        raise Http404
    payload = request.body.decode("utf-8", errors="replace")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("invalid signature")
    try:
        event = webhooks.parse_event(payload)
    except webhooks.MalformedEvent as error:
        return HttpResponseBadRequest(str(error))
    outcome = webhooks.handle_event(event)
    return JsonResponse({"outcome": outcome})


def _buyers_order(request):
    """The order this browser just sent to Stripe (kept in its session)."""
    order_id = request.session.get("checkout_order_id")
    order = Order.objects.filter(pk=order_id).first() if order_id else None
    if order is None:
        raise Http404
    return order


def stripe_return(request):
    order = _buyers_order(request)
    checkout = order.stripe_checkouts.filter(session_id=request.GET.get("session_id", "")).first()
    if checkout is not None and checkout.status == StripeCheckout.Status.OPEN:
        try:
            stripe_gateway.settle_session(stripe_gateway.retrieve_session(checkout.session_id))
        except stripe.StripeError as error:
            logger.warning("Order %s: return page could not ask Stripe: %s", order.number, error)
    order.refresh_from_db()
    if order.status == order_status.CANCELLED:
        messages.error(
            request, _("订单 %(number)s 付款没有完成，已取消。") % {"number": order.number}
        )
        return redirect("basket:summary")
    if order.status == order_status.PENDING_PAYMENT:
        messages.info(request, _("正在等待支付结果，付款成功后订单会自动确认，请稍后刷新。"))
    else:
        messages.success(request, _("付款成功！订单号 %(number)s") % {"number": order.number})
    return redirect("checkout:thank-you")


def stripe_cancel(request):
    """The buyer came back from Stripe without paying: cancel, free the stock, refill the
    basket; for a split basket, every order the payment was for."""
    first = _buyers_order(request)
    orders = groups.orders_of_group(first)
    for order in orders:
        if order.status == order_status.PENDING_PAYMENT:
            try:
                paid = stripe_gateway.close_session_for_cancel(order)
            except stripe.StripeError:
                paid = False
            order.refresh_from_db()
            if not paid and order.status == order_status.PENDING_PAYMENT:
                stripe_gateway.cancel_unpaid_order(
                    order, _("买家放弃付款，订单已取消，商品已放回货架。")
                )
                order.refresh_from_db()
    cancelled = [order for order in orders if order.status == order_status.CANCELLED]
    if cancelled:
        for order in cancelled:
            stripe_gateway.refill_basket(request.basket, order)
        messages.warning(
            request,
            _("付款未完成，订单 %(number)s 已取消。商品已放回购物车，可以重新下单。")
            % {"number": "、".join(str(order.number) for order in cancelled)},
        )
        return redirect("basket:summary")
    return redirect("checkout:thank-you")


# --- team actions ----------------------------------------------------------------------


def can_handle_order(user, order):
    """Staff, or a member of a team that sells something in ``order``."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.has_perm("partner.dashboard_access"):
        return False
    return order.lines.filter(partner__users=user).exists()


def _back(request, fallback):
    target = request.POST.get("next") or request.headers.get("Referer") or fallback
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = fallback
    return redirect(target)


@login_required
@require_POST
def mark_paid(request, number):
    order = get_object_or_404(Order, number=number)
    if not can_handle_order(request.user, order):
        raise Http404
    try:
        done = life.paid_in_cash(order, request.user)
    except PaymentProblem as problem:
        messages.error(request, str(problem))
    else:
        if done:
            messages.success(request, _("订单 %(number)s 已登记收款。") % {"number": number})
        else:
            messages.info(request, _("订单 %(number)s 之前已经登记过收款。") % {"number": number})
    return _back(request, reverse("dashboard:order-detail", kwargs={"number": number}))


@login_required
def refund(request, number):
    """A team member refunds some lines (their own team's) or, as staff, the whole order."""
    order = get_object_or_404(Order, number=number)
    if not can_handle_order(request.user, order):
        raise Http404
    lines = order.lines.all()
    if not request.user.is_staff:
        lines = lines.filter(partner__users=request.user)
    lines = list(lines)
    done = refunds.refunded_quantities(order)
    rows = [(line, line.quantity - done.get(line.pk, 0)) for line in lines]
    owed = refunds.open_owed(order)
    if not request.user.is_staff:
        owed = [
            row for row in owed if row.line_id is None or row.line_id in {li.pk for li in lines}
        ]
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("owed"):
                _settle_owed(request, owed)
            else:
                _refund_posted(request, order, rows)
        except PaymentProblem as problem:
            error = str(problem)
        else:
            return redirect("payment:refund", number=number)
    return render(
        request,
        "payment/refund.html",
        {
            "order": order,
            "rows": rows,
            "error": error,
            "reasons": refunds.Refund.Reason.choices,
            "refunds": order.refunds.select_related("created_by").order_by("-created"),
            "owed": owed,
        },
        status=400 if error else 200,
    )


def _refund_registered(request, result):
    messages.success(
        request,
        _("已登记退款 ¥%(amount)s（%(state)s）。")
        % {"amount": result.amount, "state": result.get_state_display()},
    )


def _settle_owed(request, owed):
    """Pay back a refund owed after a shortfall or a cancelled run (again, if it failed)."""
    row = next((row for row in owed if str(row.pk) == request.POST["owed"]), None)
    if row is None:
        raise Http404
    result = life.settle_owed(row, request.user)
    if result is not None:
        _refund_registered(request, result)


def _refund_posted(request, order, rows):
    """Refund the lines posted (``qty-<line id>``) or, for staff, the whole order."""
    reason = request.POST.get("reason", "")
    if reason not in refunds.Refund.Reason.values:
        raise PaymentProblem(_("请选择退款原因。"))
    note = request.POST.get("note", "")
    if request.POST.get("whole") and request.user.is_staff:
        result = life.refund_order(order, reason, request.user, note=note)
    else:
        wanted = []
        for line, _left in rows:
            raw = request.POST.get(f"qty-{line.pk}", "").strip() or "0"
            if not raw.isdigit():
                raise PaymentProblem(_("退货数量请填写整数。"))
            wanted.append((line, int(raw)))
        result = life.refund_lines(order, wanted, reason, request.user, note=note)
    _refund_registered(request, result)


# --- the buyer -------------------------------------------------------------------------


@require_POST
def cancel_order(request, number):
    order = get_object_or_404(Order, number=number)
    owner = order.user_id and request.user.is_authenticated and order.user_id == request.user.pk
    # A guest proves the order is theirs as on Oscar's order status page: the link's hash
    # plus the e-mail address they confirmed in this session.
    guest = (
        not order.user_id
        and order.check_verification_hash(request.POST.get("hash", ""))
        and request.session.get("anon_order_email") == order.email
    )
    # Or the signed link every message carries (``shop.buyer.links``) opened the order page.
    token = request.POST.get("token", "")
    signed = bool(token) and links.order_number_from(token) == order.number
    if not (owner or guest or signed):
        raise Http404
    try:
        cancellation.cancel_by_customer(order, request.user)
    except PaymentProblem as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("订单 %(number)s 已取消。") % {"number": number})
    if owner:
        return redirect("customer:order", order_number=number)
    if signed:
        return redirect(links.order_path(order))
    return redirect("customer:anon-order", order_number=number, hash=request.POST.get("hash"))
