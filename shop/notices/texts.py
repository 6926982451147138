"""The words of each text message, in Chinese and (for buyers who ordered under /en/) English.

A provider sends only templates it approved beforehand, filled with parameters; these are
the shop's wording of the same templates, with the parameters in the order the provider's
templates number them. The console backend logs them; the order page names the kind."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

TEXTS = {
    "order_confirmed": gettext_noop(
        "订单%(number)s已确认：%(place)s，%(time)s，取货码%(code)s。查看订单：%(link)s"
    ),
    "on_its_way": gettext_noop(
        "订单%(number)s已随工作队的车出发，送往%(place)s，%(time)s。查看订单：%(link)s"
    ),
    "ready": gettext_noop(
        "订单%(number)s已到%(place)s，可以取了（%(time)s），取货码%(code)s。查看订单：%(link)s"
    ),
    "delivered": gettext_noop("订单%(number)s已交到您手上，谢谢支持消费帮扶。查看订单：%(link)s"),
    "shortfall": gettext_noop("订单%(number)s缺货调整：%(items)s。%(money)s查看订单：%(link)s"),
    "payout_paid": gettext_noop(
        "%(name)s：工作队已付您%(period)s的货款¥%(amount)s。收入和结算单：%(link)s"
    ),
}


def render(kind, params, language):
    with translation.override(language):
        return f"【{settings.SMS_SIGN_NAME}】" + translation.gettext(TEXTS[kind]) % params


def template_code(kind, language):
    """The provider's template id for ``kind`` (an English one where configured)."""
    if not language.startswith("zh"):
        english = settings.SMS_TEMPLATES.get(f"{kind}_en")
        if english:
            return english
    return settings.SMS_TEMPLATES[kind]
