"""The checkout hook for institution orders: the "以单位名义下单" choice on the order
confirmation page, the monthly-transfer payment it opens, and the order's tie to the
institution, written in the transaction that places the order.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.order.exceptions import UnableToPlaceOrder

from shop.institutions.membership import institutions_of
from shop.institutions.models import InstitutionOrder
from shop.payment.methods import BANK_TRANSFER

SESSION_KEY = "institution"


class InstitutionChoiceForm(forms.Form):
    """Whether the order is the buyer's own or placed under one of their institutions."""

    institution = forms.ModelChoiceField(
        label=gettext_lazy("以单位名义下单"),
        queryset=None,
        required=False,
        blank=True,  # a radio list offers "个人订单" only when blank
        empty_label=gettext_lazy("个人订单"),
        error_messages={
            "invalid_choice": gettext_lazy("您不是这个单位的成员，不能以它的名义下单。")
        },
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_of(user)

    @property
    def offered(self):
        """Shown only to members of an institution (or with an error to say why not)."""
        return self.fields["institution"].queryset.exists() or bool(self.errors)

    def chosen(self):
        return self.cleaned_data.get("institution") if self.is_valid() else None


def choice_form(request, checkout_session, data=None):
    initial = {"institution": checkout_session._get("checkout", SESSION_KEY)}
    return InstitutionChoiceForm(data, user=request.user, initial=initial)


def transfer_offered(request):
    return institutions_of(request.user).exists()


def payment_problem(choice_form, method):
    """Why ``method`` cannot pay this order; None when it can."""
    if method == BANK_TRANSFER and choice_form.chosen() is None:
        return _("对公转账（月结）只用于以单位名义下的订单，请选择单位或换一种付款方式。")
    return None


def remember(checkout_session, choice_form):
    institution = choice_form.chosen()
    checkout_session._set("checkout", SESSION_KEY, institution.pk if institution else None)


class OrdersForInstitution:
    """Mixed into the checkout view that places orders: the order placed is tied to the
    institution chosen (checked again against the buyer's memberships) inside the order's
    transaction, so an order is never half an institution's."""

    def place_order(self, **kwargs):
        order = super().place_order(**kwargs)
        chosen = self.checkout_session._get("checkout", SESSION_KEY)
        if chosen:
            institution = institutions_of(self.request.user).filter(pk=chosen).first()
            if institution is None:
                raise UnableToPlaceOrder(_("您已不是这个单位的成员，不能以它的名义下单。"))
            InstitutionOrder.objects.create(
                order=order, institution=institution, placed_by=self.request.user
            )
        return order
