from django import forms
from django.utils.translation import gettext_lazy as _


class OrderLookupForm(forms.Form):
    number = forms.CharField(
        label=_("订单号"),
        max_length=32,
        error_messages={"required": _("请填写订单号。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("下单时填的手机号"),
        max_length=20,
        error_messages={"required": _("请填写手机号。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
