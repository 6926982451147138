"""The public receipt a packing label's QR code opens: an order's lines and the households
credited for them (``fulfilment.receipt``), without sign-in and without anything of the
buyer (no name, phone or address). A token this site did not sign is a 404."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from oscar.core.loading import get_model

from fulfilment import receipt

Order = get_model("order", "Order")


@never_cache
def receipt_view(request, token):
    number = receipt.order_number_from(token)
    order = (
        Order.objects.filter(number=number).select_related("run_link__run__team").first()
        if number
        else None
    )
    if order is None:
        raise Http404(_("这张小票的链接不对，请扫描袋子上的二维码。"))
    response = render(
        request,
        "fulfilment/receipt_page.html",
        {"order": order, "run": receipt.for_order(order).run},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
