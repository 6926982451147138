"""Text messages to buyers about their orders: one function per thing that happens.

The order-life module calls these (``order_confirmed`` is called by the checkout when an
order is placed); each sends its message once per order, however often it is called,
from the worker, through ``channels.send_sms``. The words are in ``texts``; the facts
(place, time with weekday, pickup code, the signed order link) come from ``shop.buyer``.

The shop's modules that read models are imported inside the functions, each run under a
comment saying so: this package is the app itself (``INSTALLED_APPS``), imported by the
app registry before any model is loaded. (Tests also replace
``sending.notify`` in its own module, which these imports then pick up.)
"""

from django.conf import settings
from django.utils import translation

from catalogue import units
from shop.buyer.codes import pickup_code


def sent(order):
    """The text messages that went out about ``order``, oldest first (the order pages)."""
    return order.notices.filter(sent_at__isnull=False).order_by("sent_at")


def _facts(order):
    # start-up: this app package loads before any model, and this reads models
    from shop.buyer.handover import where_and_when

    found = where_and_when(order) or {"place": "", "time": ""}
    return {"place": found["place"], "time": found["time"], "code": pickup_code(order)}


def order_confirmed(order, language=None):
    """The order is placed (paid, or to pay at pickup): place, time and the pickup code.
    ``language`` defaults to the active one: the buyer's, during the checkout request."""
    # start-up: this app package loads before any model, and these read models
    from shop.notices.sending import notify

    language = language or translation.get_language()
    with translation.override(language):
        facts = _facts(order)
    return notify(
        order, "order_confirmed", facts, f"order_confirmed:{order.number}", language=language
    )


def _simple(kind, order, fields):
    # start-up: this app package loads before any model, and these read models
    from shop.notices.sending import language_of, notify

    with translation.override(language_of(order)):
        facts = _facts(order)
    return notify(order, kind, {name: facts[name] for name in fields}, f"{kind}:{order.number}")


def on_its_way(order):
    """The team's car has left with the order."""
    return _simple("on_its_way", order, ("place", "time"))


def ready(order):
    """The order waits at its pickup point."""
    return _simple("ready", order, ("place", "time", "code"))


def delivered(order):
    """The order was handed over."""
    return _simple("delivered", order, ())


def shortfall(order, cuts, key):
    """Lines were cut because a household supplied less. ``cuts`` are (product title, units
    cut, amount, product) for this order, as ``shop.order.life.cut_lines`` returns them
    (the units are written in the product's unit); ``key`` names the shortfall (e.g. its
    id), so the same cut is told once. What it means for the money is
    ``shop.order.money.after_a_cut``: a refund only when money was taken."""
    # start-up: this app package loads before any model, and these read models
    from shop.notices.sending import language_of, notify
    from shop.order import money

    language = language_of(order)
    with translation.override(language):
        items = translation.gettext("、").join(
            translation.gettext("%(title)s少%(qty)s")
            % {"title": title, "qty": units.amount(qty, product[0] if product else None)}
            for title, qty, _amount, *product in cuts
        )
        after = money.after_a_cut(money.of(order))
    return notify(
        order,
        "shortfall",
        {"items": items, "money": after},
        f"shortfall:{order.number}:{key}",
        language=language,
    )


def payout_paid(payout):
    """The team marked a household's payout as paid: the amount, the run or month it
    settles and the link to the household's own page. Once per payout; nothing when the
    household has no phone number on file."""
    # start-up: this app package loads before any model, and these read models
    from fulfilment import household_page
    from shop.notices.sending import record

    household = payout.household
    phone = (household.phone or "").strip()
    if not phone:
        return None
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        if payout.run_id:
            period = translation.gettext("%(date)s那一趟") % {
                "date": f"{payout.run.date.month}月{payout.run.date.day}日"
            }
        else:
            period = translation.gettext("%(month)s月") % {"month": payout.month.month}
        params = {
            "name": household.public_name,
            "period": period,
            "amount": payout.net,
            "link": household_page.url_for(household),
        }
    return record(f"payout_paid:{payout.pk}", "payout_paid", phone, language, params, payout=payout)
