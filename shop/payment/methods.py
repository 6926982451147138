"""Ways a buyer can pay. Online payment (Stripe) joins the list only when its keys are set."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

PAY_ON_PICKUP = "pay-on-pickup"
STRIPE = "stripe"
# An institution's order, paid by bank transfer against its monthly statement
# (``shop.institutions``); offered only for orders placed under an institution.
BANK_TRANSFER = "bank-transfer"

CHOICES = [
    (PAY_ON_PICKUP, _("取货时付款（现金或扫码转账）")),
    (STRIPE, _("在线支付（微信支付、支付宝、银行卡）")),
    (BANK_TRANSFER, _("对公转账（月结）")),
]


def stripe_enabled():
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def available_methods(for_institution=False):
    """The ways to pay offered at checkout; the monthly transfer only for an order placed
    under an institution."""
    return [
        (code, name)
        for code, name in CHOICES
        if (code != STRIPE or stripe_enabled()) and (code != BANK_TRANSFER or for_institution)
    ]


def label(code):
    return dict(CHOICES).get(code, code)


def online_offered():
    """Whether paying online is offered now: the checkout's rule (``available_methods``),
    for a standing order's form and its placement at the cut-off too."""
    return STRIPE in dict(available_methods())
