"""A buyer cancels their own order before the run's cut-off; the stock returns.

Until cut-off the produce has not been collected from households, so nothing is lost
by cancelling. An order without a run may be cancelled while nobody has confirmed it
yet (still "待付款" or "待确认"). Money already taken online is refunded in full.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import life, money
from shop.order import status as S
from shop.payment import refunds, stripe_gateway
from shop.payment.processing import PaymentProblem

Order = get_model("order", "Order")


def why_not_cancellable(order):
    """None when the buyer may cancel ``order``, else the reason in Chinese."""
    if order.status == S.CANCELLED:
        return _("订单已经取消了。")
    if order.status not in S.CANCELLABLE:
        return _("工作队已经开始处理这个订单，不能在网上取消，请联系工作队。")
    link = getattr(order, "run_link", None) if hasattr(order, "run_link") else None
    run = getattr(link, "run", None)
    if run is not None and not run.is_open_for_orders:
        return _("配送批次已截单，不能再取消，请联系工作队。")
    return None


def cancel_by_customer(order, user=None):
    """Cancel ``order`` for its buyer; raise ``PaymentProblem`` when it is too late."""

    reason = why_not_cancellable(order)
    if reason:
        raise PaymentProblem(reason)
    if order.status == S.PENDING_PAYMENT:
        # No session may still take money once the order is gone.
        stripe_gateway.close_session_for_cancel(order)
        order.refresh_from_db(fields=["status"])
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        reason = why_not_cancellable(order)
        if reason:
            raise PaymentProblem(reason)
        life.cancel(order, user=user, message=_("买家在截单前取消了订单，商品已放回货架。"))
    order.refresh_from_db()
    if money.of(order).is_online and money.of(order).refund_owed > 0:
        refunds.refund_order(order, refunds.Refund.Reason.CANCELLED, user=user)
    return order
