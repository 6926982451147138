from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.address import forms as address_forms
from oscar.apps.customer import forms as customer_forms
from oscar.core.loading import get_model

from shop.checkout.forms import normalise_cn_mobile
from shop.speed import rows

Country = get_model("address", "Country")
MOBILE_INVALID = _("请输入正确的 11 位手机号，例如 13812345678。")


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


# --- the signed-in buyer's account (shop.buyer.account) ------------------------------
# Oscar's forms underneath, with labels and messages written for the shop's buyers.

PASSWORD_MISMATCH = _("两次填的密码不一样，请重新填写。")
EMAIL_INVALID = _("请填写正确的电子邮箱，例如 lin@example.cn。")
EMAIL_REQUIRED = _("请填写电子邮箱。")
PASSWORD_REQUIRED = _("请填写密码。")
EMAIL_TAKEN = _("这个邮箱已经注册过了，请直接登录；忘了密码可以重设。")


def _email_field(field):
    field.label = _("电子邮箱")
    field.error_messages.update({"required": EMAIL_REQUIRED, "invalid": EMAIL_INVALID})
    field.widget.attrs.update({"autocomplete": "email", "inputmode": "email"})


def _password_field(field, label, autocomplete="current-password"):
    field.label = label
    field.error_messages["required"] = PASSWORD_REQUIRED
    field.widget.attrs["autocomplete"] = autocomplete


class SignInForm(customer_forms.EmailAuthenticationForm):
    error_messages = {
        "invalid_login": _("邮箱或密码不对，请再试一次。"),
        "inactive": _("这个账户已停用，请联系工作队。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_field(self.fields["username"])
        _password_field(self.fields["password"], _("密码"))


class SignUpForm(customer_forms.EmailUserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_field(self.fields["email"])
        _password_field(self.fields["password1"], _("密码"), "new-password")
        _password_field(self.fields["password2"], _("再填一次密码"), "new-password")
        self.fields["password1"].help_text = _("至少 8 位，不要只用数字")
        self.fields["password2"].help_text = ""

    def clean_email(self):
        try:
            return super().clean_email()
        except forms.ValidationError as error:
            raise forms.ValidationError(EMAIL_TAKEN) from error

    def clean_password2(self):
        try:
            return super().clean_password2()
        except forms.ValidationError as error:
            raise forms.ValidationError(PASSWORD_MISMATCH) from error


class ProfileForm(customer_forms.UserForm):
    """Name and e-mail: one name field, as Chinese buyers write it."""

    class Meta(customer_forms.UserForm.Meta):
        fields = ["first_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].label = _("姓名")
        self.fields["first_name"].widget.attrs["autocomplete"] = "name"
        _email_field(self.fields["email"])

    def clean_email(self):
        try:
            return super().clean_email()
        except forms.ValidationError as error:
            raise forms.ValidationError(_("这个邮箱已经有别的账户在用了。")) from error


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_incorrect": _("原来的密码不对，请再试一次。"),
        "password_mismatch": PASSWORD_MISMATCH,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_field(self.fields["old_password"], _("原来的密码"))
        _password_field(self.fields["new_password1"], _("新密码"), "new-password")
        _password_field(self.fields["new_password2"], _("再填一次新密码"), "new-password")
        self.fields["new_password1"].help_text = _("至少 8 位，不要只用数字")
        self.fields["new_password2"].help_text = ""


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The last step of a password reset."""

    error_messages = {"password_mismatch": PASSWORD_MISMATCH}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_field(self.fields["new_password1"], _("新密码"), "new-password")
        _password_field(self.fields["new_password2"], _("再填一次新密码"), "new-password")
        self.fields["new_password1"].help_text = _("至少 8 位，不要只用数字")
        self.fields["new_password2"].help_text = ""


class ConfirmPasswordForm(customer_forms.ConfirmPasswordForm):
    """Closing the account asks for the password once more."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_field(self.fields["password"], _("密码"))

    def clean_password(self):
        try:
            return super().clean_password()
        except forms.ValidationError as error:
            raise forms.ValidationError(_("密码不对，账户没有注销。")) from error


class PasswordResetForm(customer_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_field(self.fields["email"])
        self.fields["email"].label = _("注册时用的电子邮箱")


class AddressForm(address_forms.UserAddressForm):
    """An address for home delivery: who, which mobile, where (the city is optional)."""

    class Meta(address_forms.UserAddressForm.Meta):
        fields = ["first_name", "phone_number", "line1", "line4", "country", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "first_name": (_("收货人姓名"), _("请填写收货人姓名。")),
            "phone_number": (_("手机号"), MOBILE_INVALID),
            "line1": (_("详细地址"), _("请填写详细地址，例如 人民路 8 号 3 单元 502。")),
        }
        for name, (label, required) in labels.items():
            field = self.fields[name]
            field.label = label
            field.required = True
            field.error_messages["required"] = required
        self.fields["phone_number"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["phone_number"].help_text = _("11 位手机号，送货和取货短信都发到这里")
        self.fields["line4"].label = _("城市")
        self.fields["line4"].required = False
        self.fields["notes"].label = _("备注（送货时看的，选填）")
        self.fields["notes"].widget.attrs["rows"] = 2
        self.fields["notes"].help_text = _("例如：放门卫室、下午在家")
        countries = rows.filtered(Country, is_shipping_country=True)
        if len(countries) == 1:  # one country: no need to ask
            self.fields.pop("country", None)
            self.instance.country = countries[0]

    def clean_phone_number(self):
        mobile = normalise_cn_mobile(self.data.get(self.add_prefix("phone_number"), ""))
        if not mobile:
            raise forms.ValidationError(MOBILE_INVALID)
        return mobile

    def _clean_text(self, name, message):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            raise forms.ValidationError(message)
        return value

    def clean_first_name(self):
        return self._clean_text("first_name", _("请填写收货人姓名。"))

    def clean_line1(self):
        return self._clean_text("line1", _("请填写详细地址，例如 人民路 8 号 3 单元 502。"))

    def validate_unique(self):
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except forms.ValidationError:
            self.add_error(None, _("地址簿里已经有这个地址了。"))
