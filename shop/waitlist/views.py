"""The buyer's side of the waitlist: join from a sold-out product page, stop waiting from
the link in the page or the e-mail. Thin: the rules are ``shop.waitlist.wake``'s."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from shop.core.links import absolute
from shop.waitlist import wake
from shop.waitlist.models import WaitingBuyer

Product = get_model("catalogue", "Product")


class JoinForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("邮箱"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("请填写邮箱，到货后我们发邮件告诉您。"),
            "invalid": gettext_lazy("邮箱格式不对，请检查。"),
        },
    )


@never_cache
@require_POST
def join(request, pk):
    product = get_object_or_404(Product, pk=pk, is_public=True)
    data = request.POST.copy()
    if request.user.is_authenticated and not data.get("email"):
        data["email"] = request.user.email
    form = JoinForm(data)
    if not form.is_valid():
        for error in form.errors.get("email", []):
            messages.error(request, error)
        return redirect(product.get_absolute_url())
    left = wake.free_units(product)
    if left is None or left > 0:
        messages.info(
            request, _("“%(title)s”现在有货，可以直接下单。") % {"title": product.get_title()}
        )
        return redirect(product.get_absolute_url())
    entry, created = wake.join(product, form.cleaned_data["email"], request.user)
    if created:
        cancel_url = absolute(wake.cancel_path(entry))
        send_mail(
            f"[{settings.OSCAR_SHOP_NAME}] "
            + _("已登记：“%(title)s”到货通知") % {"title": product.get_title()},
            _(
                "您好：\n\n“%(title)s”到货后我们会发邮件告诉您，只通知一次，先登记的先通知。\n"
                "不想等了，打开这个链接取消：\n%(url)s\n"
            )
            % {"title": product.get_title(), "url": cancel_url},
            settings.OSCAR_FROM_EMAIL,
            [entry.email],
            fail_silently=True,
        )
        messages.success(
            request,
            _("已登记。“%(title)s”到货后会发邮件到 %(email)s。")
            % {"title": product.get_title(), "email": entry.email},
        )
    else:
        messages.info(request, _("您已经登记过了，到货后会通知您。"))
    request.session[f"waitlist-{product.pk}"] = entry.token
    return redirect(product.get_absolute_url())


@never_cache
def cancel(request, token):
    entry = WaitingBuyer.objects.filter(token=token).select_related("product").first()
    if entry is None:
        raise Http404(_("这个链接不对，或者登记已经删除了。"))
    if request.method == "POST":
        if wake.cancel(entry):
            messages.success(
                request, _("已取消“%(title)s”的到货通知。") % {"title": entry.product.get_title()}
            )
        entry.refresh_from_db()
    return render(request, "waitlist/cancel.html", {"entry": entry})
