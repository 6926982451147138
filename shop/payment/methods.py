"""Ways a buyer can pay. Online payment (Stripe) joins this list when configured."""

from django.utils.translation import gettext_lazy as _

PAY_ON_PICKUP = "pay-on-pickup"

CHOICES = [
    (PAY_ON_PICKUP, _("取货时付款（现金或扫码转账）")),
]


def available_methods():
    return list(CHOICES)


def label(code):
    return dict(CHOICES).get(code, code)
