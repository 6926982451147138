"""A guest's way back to an order: the lookup form and the page the signed link opens."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from oscar.core.loading import get_model

from shop import notices
from shop.buyer import links, lookup
from shop.buyer.forms import OrderLookupForm

Order = get_model("order", "Order")

# One answer for a wrong number and a wrong phone: the form never tells which orders exist.
NOT_FOUND = gettext_lazy("订单号或手机号不对，请核对后再试。")


def client_address(request):
    # Behind nginx (deploy/nginx.conf) REMOTE_ADDR is set from the real client address.
    return request.META.get("REMOTE_ADDR", "")


@never_cache
def find_order(request):
    form = OrderLookupForm(request.POST or None)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        try:
            order = lookup.find_order(
                form.cleaned_data["number"], form.cleaned_data["phone"], client_address(request)
            )
        except lookup.TooManyTries:
            minutes = max(settings.ORDER_LOOKUP_WINDOW // 60, 1)
            form.add_error(None, _("查询次数太多，请 %(n)d 分钟后再试。") % {"n": minutes})
            status_code = 429
        else:
            if order is not None:
                return redirect(links.order_path(order))
            form.add_error(None, NOT_FOUND)
    return render(request, "buyer/order_find.html", {"form": form}, status=status_code)


@never_cache
def order_page(request, token):
    number = links.order_number_from(token)
    order = (
        Order.objects.filter(number=number)
        .select_related(
            "shipping_address", "run_link__run", "run_link__pickup__point", "run_link__zone"
        )
        .prefetch_related("lines")
        .first()
        if number
        else None
    )
    if order is None:
        raise Http404(_("这个订单链接不对，请用短信或邮件里的链接，或用订单号和手机号查询。"))
    context = {
        "order": order,
        "token": token,
        "lines": order.lines.all(),
        "notices": notices.sent(order),
        "phone": lookup.order_phone(order),
    }
    return render(request, "buyer/order.html", context)
