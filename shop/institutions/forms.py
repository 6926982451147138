"""The coordinator's institution form and the statement's "transfer arrived" form."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulfilment.models import PickupPoint
from shop.institutions.models import Institution, normalise_tax_number

User = get_user_model()


class InstitutionForm(forms.ModelForm):
    member_emails = forms.CharField(
        label=gettext_lazy("成员账户（电子邮箱，每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("这些账户能以单位名义下单、看单位订单和对账单"),
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "kind",
            "tax_number",
            "invoice_title",
            "invoice_bank",
            "invoice_account",
            "invoice_address",
            "invoice_phone",
            "yearly_target",
            "drop_off",
            "is_active",
        ]
        error_messages = {
            "name": {"unique": gettext_lazy("已有同名的单位。")},
            "tax_number": {"unique": gettext_lazy("这个税号已登记给另一个单位。")},
            "drop_off": {"unique": gettext_lazy("这个送货点已是另一个单位的专用送货点。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drop_off"].queryset = PickupPoint.objects.select_related("team").order_by(
            "team__name", "name"
        )
        self.fields["drop_off"].label_from_instance = lambda p: f"{p.team.name} · {p.name}"
        self.fields["yearly_target"].error_messages["invalid"] = _("请填写金额，例如 50000。")
        for name in ("name", "tax_number", "invoice_title"):
            self.fields[name].error_messages["required"] = _("请填写%(field)s。") % {
                "field": self.fields[name].label
            }
        if self.instance.pk:
            self.initial["member_emails"] = "\n".join(
                self.instance.members.order_by("email").values_list("email", flat=True)
            )

    def clean_tax_number(self):
        return normalise_tax_number(self.cleaned_data["tax_number"])

    def clean_member_emails(self):
        emails = [e.strip() for e in self.cleaned_data["member_emails"].split() if e.strip()]
        users = {}
        for email in emails:
            user = User.objects.filter(email__iexact=email).order_by("pk").first()
            if user is not None:
                users[email.lower()] = user
        missing = [email for email in emails if email.lower() not in users]
        if missing:
            raise forms.ValidationError(
                _("找不到这些账户：%(emails)s。请让对方先注册。") % {"emails": "、".join(missing)}
            )
        return [users[email.lower()] for email in emails]

    def save(self, commit=True):
        institution = super().save(commit=commit)
        if commit:
            institution.members.set(self.cleaned_data["member_emails"])
        return institution


class TransferForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("转账流水号"),
        max_length=64,
        error_messages={"required": gettext_lazy("请填写转账流水号。")},
    )
