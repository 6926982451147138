"""Checkout forms shaped for Chinese buyers: one name field and a mobile number."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as oscar_forms
from oscar.apps.customer.utils import normalise_email
from oscar.core.loading import get_model

from shop.basket.forms import INPUTS_IN_PYTHON
from shop.payment.methods import available_methods
from shop.speed import rows

Country = get_model("address", "Country")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_cn_mobile(raw):
    """Return the 11-digit mobile number or None. Accepts +86, spaces and dashes."""
    digits = re.sub(r"[\s\-()]", "", str(raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if MOBILE_RE.match(digits) else None


class ShippingAddressForm(oscar_forms.ShippingAddressForm):
    """Who collects the order and how to reach them; the address is optional for pickup."""

    default_renderer = INPUTS_IN_PYTHON  # the confirm page's inputs, written in Python

    class Meta(oscar_forms.ShippingAddressForm.Meta):
        fields = ["first_name", "phone_number", "line1", "line4", "country", "notes"]

    def __init__(self, *args, ask_email=False, email_given=False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_email:
            # A guest gives their e-mail here, on the same page as name and mobile.
            fields = dict(self.fields)
            self.fields = {"first_name": fields.pop("first_name")}
            self.fields["phone_number"] = fields.pop("phone_number")
            self.fields["guest_email"] = forms.EmailField(
                label=_("电子邮箱（选填）"),
                help_text=_("选填：也想收邮件就填上，短信会发到手机号"),
                required=False,  # the mobile number is the key: text messages go there
                error_messages={"invalid": _("请输入正确的电子邮箱，例如 lin@example.cn。")},
            )
            self.fields.update(fields)
        self.fields["first_name"].label = _("收货人姓名")
        self.fields["first_name"].required = True
        self.fields["first_name"].error_messages["required"] = _("请填写收货人姓名。")
        self.fields["phone_number"].label = _("手机号")
        self.fields["phone_number"].required = True
        self.fields["phone_number"].error_messages["required"] = _(
            "请输入正确的 11 位手机号，例如 13812345678。"
        )
        self.fields["phone_number"].help_text = _("11 位手机号，用于取货和配送联系")
        self.fields["line1"].label = _("详细地址（送货上门时填写）")
        self.fields["line1"].required = False
        self.fields["line4"].label = _("城市")
        self.fields["line4"].required = False
        self.fields["notes"].label = _("备注")
        self.fields["notes"].widget.attrs["rows"] = 2

    def adjust_country_field(self):
        """Oscar's, with the shipping countries kept (``shop.speed.rows``) instead of a query on
        every checkout page."""
        countries = rows.filtered(Country, is_shipping_country=True)
        if len(countries) == 1:
            self.fields.pop("country", None)
            self.instance.country = countries[0]
        else:
            super().adjust_country_field()

    def clean_phone_number(self):
        raw = self.data.get(self.add_prefix("phone_number"), "")
        mobile = normalise_cn_mobile(raw)
        if not mobile:
            raise forms.ValidationError(_("请输入正确的 11 位手机号，例如 13812345678。"))
        return mobile

    def clean_guest_email(self):
        email = self.cleaned_data["guest_email"]
        return normalise_email(email) if email else ""

    def clean_first_name(self):
        name = (self.cleaned_data.get("first_name") or "").strip()
        if not name:
            raise forms.ValidationError(_("请填写收货人姓名。"))
        return name


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(label=_("付款方式"), widget=forms.RadioSelect)

    def __init__(self, *args, for_institution=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = available_methods(for_institution=for_institution)
        self.fields["method"].choices = choices
        if len(choices) == 1 and not self.initial.get("method"):
            self.initial["method"] = choices[0][0]  # the only way to pay is already chosen
