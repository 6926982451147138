"""The buyer's "去付款" for the rest of an order paid online (补款): the signed-in buyer's
own order (``account-order-pay-rest``) or a guest's through its signed link
(``buyer:order-pay-rest``). Thin: ``shop.payment.pay_rest`` says what may be paid and opens
the Stripe Checkout; another buyer's order and a tampered link are a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from shop.buyer import links
from shop.order import money
from shop.payment import pay_rest
from shop.payment.processing import PaymentProblem

Order = get_model("order", "Order")


def send_to_stripe(request, order, back, done):
    """Redirect to Stripe for the rest of ``order``; back to ``back`` with the reason when
    there is nothing to pay online. ``done`` is the return page's path."""
    success_url = request.build_absolute_uri(done) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        checkout = pay_rest.open_checkout(order, success_url, request.build_absolute_uri(back))
    except PaymentProblem as problem:
        messages.error(request, str(problem))
        return redirect(back)
    return redirect(checkout.url)


def _came_back(request, order, back):
    pay_rest.settle_return(order, request.GET.get("session_id", ""))
    order.refresh_from_db()
    money.forget(order)
    left = money.of(order).still_to_pay
    if left <= 0:
        messages.success(request, _("补款已付清，谢谢！"))
    else:
        messages.info(
            request,
            _("还需补款 ¥%(amount)s。付款成功后这里会自动更新，请稍后刷新。") % {"amount": left},
        )
    return redirect(back)


def _own_order(request, order_number):
    order = Order.objects.filter(user=request.user, number=order_number).first()
    if order is None:
        raise Http404
    return order


def _guest_order(token):
    number = links.order_number_from(token)
    order = Order.objects.filter(number=number).first() if number else None
    if order is None:
        raise Http404(_("这个订单链接不对，请用短信或邮件里的链接，或用订单号和手机号查询。"))
    return order


def _account_back(order):
    return reverse("customer:order", kwargs={"order_number": order.number})


@never_cache
@login_required
@require_POST
def account_pay(request, order_number):
    order = _own_order(request, order_number)
    done = reverse("account-order-pay-rest-done", kwargs={"order_number": order.number})
    return send_to_stripe(request, order, _account_back(order), done)


@never_cache
@login_required
def account_done(request, order_number):
    order = _own_order(request, order_number)
    return _came_back(request, order, _account_back(order))


@never_cache
@require_POST
def guest_pay(request, token):
    order = _guest_order(token)
    done = reverse("buyer:order-pay-rest-done", kwargs={"token": token})
    return send_to_stripe(request, order, links.order_path(order), done)


@never_cache
def guest_done(request, token):
    order = _guest_order(token)
    return _came_back(request, order, links.order_path(order))
