"""The buyer's standing-order pages in the account area (signed-in buyers only; each
buyer reaches only her own standing orders, anyone else's is a 404). Views hand every
change to ``schedule`` and show its refusal as a message, changing nothing."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from fulfilment.models import DeliveryRun
from shop.buyer import links
from shop.buyer.pay_rest import send_to_stripe
from shop.standing import forms, paying, schedule
from shop.standing.models import StandingOrder

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
UserAddress = get_model("address", "UserAddress")


class AccountPage(TemplateView):
    active_tab = "standing"
    page_title = gettext_lazy("定期订单")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(active_tab=self.active_tab, page_title=self.page_title)
        return context


def _card(standing, now):
    return {
        "standing": standing,
        "priced": schedule.priced_lines(standing),
        "estimate": schedule.estimate(standing),
        "occurrences": paying.attach(schedule.occurrences(standing, now=now)),
    }


class StandingListView(AccountPage):
    template_name = "standing/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        standing_orders = (
            StandingOrder.objects.filter(owner=self.request.user)
            .select_related("team", "point")
            .order_by("status", "-created")
        )
        context["cards"] = [_card(standing, now) for standing in standing_orders]
        return context


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class StandingStartView(AccountPage):
    """ "每周一次 / 每两周一次": from a product (``?product=&quantity=``), the basket
    (``?from=basket``) or a placed order (``?order=<number>``)."""

    template_name = "standing/start.html"
    page_title = gettext_lazy("设定期订单")

    def items(self):
        request = self.request
        if request.GET.get("from") == "basket":
            merged = {}
            for line in request.basket.all_lines():
                merged[line.product] = merged.get(line.product, 0) + line.quantity
            return list(merged.items())
        if request.GET.get("order"):
            order = Order.objects.filter(number=request.GET["order"], user=request.user).first()
            if order is None:
                raise Http404
            merged = {}
            for line in order.lines.select_related("product"):
                if line.product is not None:
                    merged[line.product] = merged.get(line.product, 0) + line.quantity
            return list(merged.items())
        product_id = _positive_int(request.GET.get("product"))
        product = Product.objects.filter(pk=product_id, is_public=True).first()
        if product is None:
            return []
        quantity = _positive_int(request.GET.get("quantity")) or product.order_step or 1
        return [(product, quantity)]

    def dispatch(self, request, *args, **kwargs):
        self.products = [
            (product, quantity) for product, quantity in self.items() if product.is_public
        ]
        if not self.products:
            messages.error(request, _("没有可以定期订的商品。"))
            return redirect("standing:list")
        teams = {schedule.team_of(product) for product, _quantity in self.products}
        if None in teams or len(teams) != 1:
            messages.error(request, _("一个定期订单只能订同一个工作队的商品，请从商品页分别设定。"))
            return redirect("basket:summary")
        self.team = teams.pop()
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        initial = {
            "frequency": self.request.GET.get("frequency") or StandingOrder.Frequency.WEEKLY,
            "name": self.request.user.first_name,
        }
        address = (
            UserAddress.objects.filter(user=self.request.user)
            .order_by("-is_default_for_shipping", "-pk")
            .first()
        )
        if address is not None:
            initial["name"] = address.first_name or initial["name"]
            initial["phone"] = str(address.phone_number or "").replace("+86", "")
        return initial

    def form(self, data=None):
        return forms.StartForm(data, team=self.team, products=self.products, initial=self.initial())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.form()
        context["team"] = self.team
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            standing = schedule.start(
                request.user,
                form.items(),
                form.cleaned_data["frequency"],
                form.cleaned_data["point"],
                form.cleaned_data["name"],
                form.cleaned_data["phone"],
                translation.get_language(),
                payment=form.payment_choice(),
            )
        except schedule.Refused as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form))
        if standing.pays_online:
            messages.success(
                request,
                _("定期订单设好了：每趟车截单前自动下单，下单后用邮件里的链接或订单页在线付款。"),
            )
        else:
            messages.success(request, _("定期订单设好了：每趟车截单前自动下单，取货时付款。"))
        return redirect("standing:detail", pk=standing.pk)


class OwnStanding:
    def standing(self):
        return get_object_or_404(
            StandingOrder.objects.select_related("team", "point"),
            pk=self.kwargs["pk"],
            owner=self.request.user,
        )


class StandingDetailView(OwnStanding, AccountPage):
    template_name = "standing/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standing = self.standing()
        context.update(_card(standing, timezone.now()))
        context["quantities_form"] = kwargs.get("quantities_form") or forms.QuantitiesForm(
            standing=standing
        )
        return context


class StandingActionView(OwnStanding, View):
    """One POST that changes a standing order, then back to its page with a message."""

    def post(self, request, *args, **kwargs):
        standing = self.standing()
        try:
            message = self.act(standing)
        except schedule.Refused as refusal:
            messages.error(request, refusal.message)
        else:
            if message:
                messages.success(request, message)
        return redirect("standing:detail", pk=standing.pk)

    def run(self):
        run = DeliveryRun.objects.filter(pk=_positive_int(self.request.POST.get("run"))).first()
        if run is None:
            raise schedule.Refused(_("请选一趟车。"))
        return run


class SkipView(StandingActionView):
    def act(self, standing):
        occurrence = schedule.skip(standing, self.run())
        return _("%(run)s 这一次跳过，不下单。") % {"run": occurrence.run_label}


class UnskipView(StandingActionView):
    def act(self, standing):
        occurrence = schedule.unskip(standing, self.run())
        return _("%(run)s 这一次照常下单。") % {"run": occurrence.run_label}


class StatusView(StandingActionView):
    MESSAGES = {
        StandingOrder.Status.PAUSED: gettext_lazy("定期订单已暂停，恢复前不会下单。"),
        StandingOrder.Status.ACTIVE: gettext_lazy("定期订单已恢复，下一趟车照常下单。"),
        StandingOrder.Status.STOPPED: gettext_lazy("定期订单已停止，以后不会再下单。"),
    }

    def act(self, standing):
        status = self.request.POST.get("status")
        if status not in self.MESSAGES:
            raise schedule.Refused(_("请选暂停、恢复或停止。"))
        schedule.set_status(standing, status)
        return str(self.MESSAGES[status])


class QuantitiesView(OwnStanding, View):
    def post(self, request, *args, **kwargs):
        standing = self.standing()
        form = forms.QuantitiesForm(request.POST, standing=standing)
        if form.is_valid():
            try:
                schedule.change_quantities(standing, form.quantities())
            except schedule.Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("数量改好了，下一次起按新数量下单。"))
                return redirect("standing:detail", pk=standing.pk)
        view = StandingDetailView(request=request, kwargs=self.kwargs)
        return view.render_to_response(view.get_context_data(quantities_form=form))


@never_cache
def pay_link(request, token):
    """The placement e-mail's "在线付款" link (signed like the order link, no sign-in): on to
    the Stripe Checkout for exactly what the order still owes (``shop.payment.pay_rest``),
    or to the order's page saying why there is nothing to pay online."""
    number = links.order_number_from(token)
    order = Order.objects.filter(number=number).first() if number else None
    if order is None:
        raise Http404(_("这个付款链接不对，请用邮件里的链接，或到订单页付款。"))
    done = reverse("buyer:order-pay-rest-done", kwargs={"token": token})
    return send_to_stripe(request, order, links.order_path(order), done)
