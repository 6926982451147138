"""The buyer's "修改订单" page: the signed-in buyer's own order (``account-order-change``)
or a guest's order through its signed link (``buyer:order-change``). Thin: the rules are
``shop.order.changes``'; another buyer's order and a tampered link are a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from oscar.core.loading import get_class, get_model

from catalogue import units
from fulfilment.models import DeliveryRun
from shop.buyer import links
from shop.buyer.pay_rest import send_to_stripe
from shop.order import changes, life, money
from shop.payment import pay_rest
from shop.payment.processing import PaymentProblem

Order = get_model("order", "Order")

RELATED = ("shipping_address", "run_link__run", "run_link__pickup__point", "run_link__zone")


def _offer(run, order):
    """What may be added: [(product, unit price, units left, unit label)] of the run's team,
    sold out ones left out."""

    strategy = get_class("partner.strategy", "Selector")().strategy()
    in_order = set(order.lines.values_list("product_id", flat=True))
    offer = []
    for product, record in changes.products_on_run(run).values():
        if product.pk in in_order:
            continue
        info = strategy.fetch_for_product(product, record)
        if not info.availability.is_available_to_buy or info.price.incl_tax is None:
            continue
        offer.append((product, info.price.incl_tax, units.label(product)))
    return offer


def _page(request, order, back, rest_done):
    """``rest_done``: the path Stripe sends the buyer back to after paying what a bigger
    order paid online owes (``shop.buyer.pay_rest``)."""
    refused = changes.why_not_changeable(order)
    errors = []
    if request.method == "POST" and not refused:
        try:  # a 补款 session for the old amount must not stay payable
            pay_rest.close_open(order)
        except PaymentProblem as problem:
            refused = str(problem)
    if request.method == "POST" and not refused:
        quantities = {}
        for key, value in request.POST.items():
            if key.startswith("qty-"):
                line_id = key[4:]
                if not line_id.isdecimal():
                    raise Http404
                quantities[int(line_id)] = value
        additions = [(request.POST.get("add-product", ""), request.POST.get("add-qty", ""))]
        try:
            after = life.change_order(
                order, quantities, additions, request.POST.get("place", ""), user=request.user
            )
        except changes.ChangeRefused as refusal:
            errors = refusal.messages
        else:
            messages.success(request, _change_done(after))
            if pay_rest.payable(order) > 0:  # grown, paid online: on to Stripe for the rest
                return send_to_stripe(request, order, back, rest_done)
            return redirect(back)
    elif request.method == "POST":
        errors = [refused]
    run = DeliveryRun.objects.get(pk=order.run_link.run_id) if not refused else None
    context = {
        "order": order,
        "back": back,
        "refused": refused,
        "errors": errors,
        "posted": request.POST if errors else {},
        "lines": order.lines.select_related("product").order_by("pk"),
        "offer": _offer(run, order) if run else [],
        "places": changes.places_on_run(run, order) if run else [],
        "current_place": changes.current_place(order),
        "max_units": changes.MAX_UNITS,
        "paid_online": changes.paid_online(money.of(order)),
    }
    status = 400 if errors else 200
    return render(request, "buyer/order_change.html", context, status=status)


def _change_done(after):
    if after.is_online and after.still_to_pay:
        return _("订单已修改。还需补款 ¥%(amount)s。") % {"amount": after.still_to_pay}
    if after.refund_owed:
        return _("订单已修改。¥%(amount)s 会原路退回给您。") % {"amount": after.refund_owed}
    if after.cash_to_collect:
        return _("订单已修改。取货时付 ¥%(amount)s。") % {"amount": after.cash_to_collect}
    return _("订单已修改。现在应付 ¥%(amount)s。") % {"amount": after.due}


@never_cache
@login_required
def account_change(request, order_number):
    order = (
        Order.objects.filter(user=request.user, number=order_number)
        .select_related(*RELATED)
        .first()
    )
    if order is None:
        raise Http404
    return _page(
        request,
        order,
        reverse("customer:order", kwargs={"order_number": order.number}),
        reverse("account-order-pay-rest-done", kwargs={"order_number": order.number}),
    )


@never_cache
def guest_change(request, token):
    number = links.order_number_from(token)
    order = Order.objects.filter(number=number).select_related(*RELATED).first() if number else None
    if order is None:
        raise Http404(_("这个订单链接不对，请用短信或邮件里的链接，或用订单号和手机号查询。"))
    return _page(
        request,
        order,
        links.order_path(order),
        reverse("buyer:order-pay-rest-done", kwargs={"token": token}),
    )
