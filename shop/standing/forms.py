"""The buyer's forms for standing orders; bad input is a sentence in the buyer's language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fulfilment.models import PickupPoint
from shop.checkout.forms import normalise_cn_mobile
from shop.payment.methods import online_offered
from shop.standing.models import StandingOrder

MAX_QUANTITY = 999


def quantity_field(product, initial, minimum=0):
    step = product.order_step or 1
    return forms.IntegerField(
        label=product.get_title(),
        initial=initial,
        min_value=minimum,
        max_value=MAX_QUANTITY,
        error_messages={
            "invalid": _("请填一个整数。"),
            "min_value": _("数量不能小于 %(limit_value)s。"),
            "max_value": _("数量不能超过 %(limit_value)s。"),
            "required": _("请填数量。"),
        },
        widget=forms.NumberInput(attrs={"step": step, "min": minimum, "inputmode": "numeric"}),
    )


class StartForm(forms.Form):
    """Set up a standing order: how often, where to collect, who collects, how many of
    each product (one ``qty-<product id>`` field each) and, while online payment is offered
    (``shop.payment.methods.online_offered``), whether each order is paid on pickup or
    online."""

    frequency = forms.ChoiceField(
        label=_("多久一次"),
        choices=StandingOrder.Frequency.choices,
        initial=StandingOrder.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选多久一次。"), "invalid_choice": _("请选多久一次。")},
    )
    point = forms.ModelChoiceField(
        label=_("自提点"),
        queryset=PickupPoint.objects.none(),
        empty_label=None,
        error_messages={"required": _("请选自提点。"), "invalid_choice": _("请选自提点。")},
    )
    name = forms.CharField(
        label=_("取货人"), max_length=64, error_messages={"required": _("请填写取货人姓名。")}
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("11 位手机号，用于取货和通知"),
        error_messages={"required": _("请填写手机号。")},
    )

    payment = forms.ChoiceField(
        label=_("怎么付款"),
        choices=StandingOrder.Payment.choices,
        initial=StandingOrder.Payment.ON_PICKUP,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选怎么付款。"), "invalid_choice": _("请选怎么付款。")},
    )

    def __init__(self, *args, team, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = PickupPoint.objects.filter(team=team, is_active=True)
        if not online_offered():  # the checkout's rule: no online payment, no choice
            del self.fields["payment"]
        self.products = products
        for product, quantity in products:
            self.fields[f"qty-{product.pk}"] = quantity_field(product, quantity)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写取货人姓名。"))
        return name

    def clean_phone(self):
        mobile = normalise_cn_mobile(self.cleaned_data["phone"])
        if not mobile:
            raise forms.ValidationError(_("请输入正确的 11 位手机号，例如 13812345678。"))
        return mobile

    def quantity_fields(self):
        return [self[f"qty-{product.pk}"] for product, _quantity in self.products]

    def payment_choice(self):
        return self.cleaned_data.get("payment") or StandingOrder.Payment.ON_PICKUP

    def items(self):
        return [
            (product, self.cleaned_data[f"qty-{product.pk}"])
            for product, _quantity in self.products
        ]


class QuantitiesForm(forms.Form):
    """The quantities of a standing order's lines (``qty-<line id>``; 0 takes one out)."""

    def __init__(self, *args, standing, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(standing.lines.select_related("product"))
        for line in self.lines:
            self.fields[f"qty-{line.pk}"] = quantity_field(line.product, line.quantity)

    def quantity_fields(self):
        return [self[f"qty-{line.pk}"] for line in self.lines]

    def quantities(self):
        return {line.pk: self.cleaned_data[f"qty-{line.pk}"] for line in self.lines}
