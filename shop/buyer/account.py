"""The signed-in buyer's pages: Oscar's customer views underneath, with the shop's forms,
messages and the facts a buyer needs on a phone (``shop.order.status`` for statuses,
``shop.order.money`` for amounts, ``shop.buyer.handover`` for where and when).

``account_urls`` mounts these on Oscar's own addresses, so ``customer:...`` names keep
working and every page still needs a signed-in buyer who only reaches her own orders
and addresses (Oscar's querysets are filtered by ``request.user``).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Case, DateField, F, IntegerField, Value, When
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.customer import views as customer_views
from oscar.core.loading import get_model

from shop.buyer import forms, lookup, reorder
from shop.buyer.handover import where_and_when
from shop.desk import accounts
from shop.order import groups, money
from shop.order import status as S

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

# What the order list and the order page read with each order, so neither asks again.
ORDER_RELATED = (
    "shipping_address",
    "run_link__run",
    "run_link__pickup__point",
    "run_link__zone",
)
FINISHED = (*S.DELIVERED, S.CANCELLED)
ITEMS_IN_SHORT = 2


# --- signing in and up ------------------------------------------------------------------


class SignInOrUpView(accounts.LoginOrSignUpView):
    login_form_class = forms.SignInForm
    registration_form_class = forms.SignUpForm

    def get_login_success_message(self, form):
        return _("欢迎回来。")

    def get_registration_success_message(self, form):
        return _("注册好了，欢迎！")


class SignUpView(accounts.SignUpView):
    form_class = forms.SignUpForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("password-reset-done")
    template_name = "oscar/registration/password_reset_form.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("password-reset-complete")
    template_name = "oscar/registration/password_reset_confirm.html"


# --- orders ---------------------------------------------------------------------------


def items_in_short(order):
    """``散养土鸡蛋 ×10、小笨鸡 ×1 等 3 样`` from the order's (prefetched) lines."""
    lines = list(order.lines.all())
    shown = "、".join(f"{line.title} ×{line.quantity}" for line in lines[:ITEMS_IN_SHORT])
    if len(lines) > ITEMS_IN_SHORT:
        return _("%(items)s 等 %(count)d 样") % {"items": shown, "count": len(lines)}
    return shown


class OrderHistoryView(customer_views.OrderHistoryView):
    """The buyer's orders, the next pickup or delivery first: open orders by their run's
    date (soonest first), then finished and cancelled ones, newest first. The money of a
    whole page comes from ``money.attach`` (four queries however many orders)."""

    page_title = gettext_lazy("我的订单")

    def get(self, request, *args, **kwargs):
        self.form = self.form_class()  # no filter form: a buyer has a few dozen orders
        return super(customer_views.OrderHistoryView, self).get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Order.objects.filter(user=self.request.user)
            .select_related(*ORDER_RELATED)
            .prefetch_related("lines")
            .annotate(
                finished=Case(
                    When(status__in=FINISHED, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                next_date=Case(
                    When(status__in=FINISHED, then=Value(None)),
                    default=F("run_link__run__date"),
                    output_field=DateField(),
                ),
            )
            .order_by(
                "finished",
                F("next_date").asc(nulls_last=True),
                F("run_link__run__date").desc(nulls_last=True),
                "-date_placed",
            )
        )

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        orders = money.attach(list(context["orders"]))
        together = groups.siblings_by_order(orders)
        context["rows"] = [
            {
                "order": order,
                "finished": order.finished,
                "cancelled": order.status == S.CANCELLED,
                "handover": where_and_when(order),
                "money": money.of(order),
                "items": items_in_short(order),
                "bought_with": together.get(order.pk, []),
            }
            for order in orders
        ]
        return context


class OrderDetailView(customer_views.OrderDetailView):
    """One of the buyer's orders (another buyer's number is a 404, as in Oscar), with
    cancel before the cut-off (``payment:cancel-order``) and "再来一单"."""

    def get_page_title(self):
        return _("订单 %(number)s") % {"number": self.object.number}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bought_with"] = groups.siblings_by_order([self.object]).get(self.object.pk, [])
        return context

    def get_object(self, queryset=None):
        order = (
            Order.objects.filter(user=self.request.user, number=self.kwargs["order_number"])
            .select_related(*ORDER_RELATED)
            .prefetch_related("lines")
            .first()
        )
        if order is None:
            raise customer_views.http.Http404
        return order

    def do_reorder(self, order):
        added, missing = reorder.into_basket(order, self.request.basket, self.request.strategy)
        for reason in missing:
            messages.warning(self.request, reason)
        if added:
            messages.success(
                self.request,
                _("已把 %(count)d 样商品加入购物车，请核对后下单。") % {"count": added},
            )
            self.response = redirect("basket:summary")
        else:
            messages.warning(self.request, _("这一单的商品现在都买不到了，没有加入购物车。"))
            self.response = redirect("customer:order", order_number=order.number)


# --- profile ------------------------------------------------------------------------------


class ProfileView(customer_views.ProfileView):
    page_title = gettext_lazy("个人资料")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = lookup.buyer_phone(self.request.user)
        return context


class ProfileUpdateView(customer_views.ProfileUpdateView):
    form_class = forms.ProfileForm
    page_title = gettext_lazy("修改个人资料")


class ChangePasswordView(customer_views.ChangePasswordView):
    form_class = forms.PasswordChangeForm
    page_title = gettext_lazy("修改密码")
    active_tab = "password"


class ProfileDeleteView(customer_views.ProfileDeleteView):
    form_class = forms.ConfirmPasswordForm
    page_title = gettext_lazy("注销账户")

    def form_valid(self, form):
        self.request.user.delete()
        messages.success(self.request, _("账户已注销。谢谢您支持消费帮扶。"))
        return redirect(self.get_success_url())


# --- addresses ----------------------------------------------------------------------------


class AddressListView(customer_views.AddressListView):
    page_title = gettext_lazy("收货地址")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("country")
            .order_by("-is_default_for_shipping", "-date_created")
        )


class AddressCreateView(customer_views.AddressCreateView):
    form_class = forms.AddressForm
    page_title = gettext_lazy("添加收货地址")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.page_title}

    def get_success_url(self):
        messages.success(self.request, _("地址已保存。"))
        return reverse("customer:address-list")


class AddressUpdateView(customer_views.AddressUpdateView):
    form_class = forms.AddressForm
    page_title = gettext_lazy("修改收货地址")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.page_title}

    def get_success_url(self):
        messages.success(self.request, _("地址已保存。"))
        return reverse("customer:address-list")


class AddressDeleteView(customer_views.AddressDeleteView):
    page_title = gettext_lazy("删除这个地址？")

    def get_success_url(self):
        messages.success(self.request, _("地址已删除。"))
        return reverse("customer:address-list")
