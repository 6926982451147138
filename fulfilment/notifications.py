"""E-mails to buyers as their order moves. Oscar sends the order confirmation itself,
so nothing here repeats it. Each function sends one message per order with an address."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from catalogue import units
from fulfilment.models import OrderRun
from shop.order import money


def _send(messages):
    messages = [m for m in messages if m[3]]
    if messages:
        send_mass_mail(messages, fail_silently=True)


def _message(order, subject, body):
    recipient = order.email
    greeting = _("您好，%(name)s：") % {
        "name": order.shipping_address.first_name if order.shipping_address_id else ""
    }
    footer = _("订单号 %(number)s。谢谢您支持消费帮扶。") % {"number": order.number}
    return (
        f"[{settings.OSCAR_SHOP_NAME}] {subject}",
        f"{greeting}\n\n{body}\n\n{footer}\n",
        settings.OSCAR_FROM_EMAIL,
        [recipient] if recipient else [],
    )


def _destination(link):
    if link.pickup_id:
        return _("%(point)s（%(address)s），取货时间 %(window)s") % {
            "point": link.pickup.point.name,
            "address": link.pickup.point.address,
            "window": link.pickup.window_label,
        }
    return _("送货上门（%(zone)s）") % {"zone": link.zone.name if link.zone_id else ""}


def _links(run):
    return OrderRun.objects.filter(run=run).select_related(
        "order", "order__shipping_address", "order__user", "pickup__point", "zone", "pickup__run"
    )


def run_on_its_way(run):
    _send(
        [
            _message(
                link.order,
                _("您的订单已经在路上"),
                _("工作队的车已出发，正把您的订单送往：%(dest)s。") % {"dest": _destination(link)},
            )
            for link in _links(run)
        ]
    )


def run_cancelled(run):
    _send(
        [
            _message(
                link.order,
                _("配送批次取消"),
                _("很抱歉，%(run)s 已取消。已付的款项会退回，工作队会和您联系。") % {"run": run},
            )
            for link in _links(run)
        ]
    )


def ready_at_pickup(links):
    _send(
        [
            _message(
                link.order,
                _("您的订单可以取了"),
                _("您的订单已到：%(dest)s。请带上订单号来取。") % {"dest": _destination(link)},
            )
            for link in links
        ]
    )


def delivered(link):
    _send([_message(link.order, _("订单已交付"), _("您的订单已交到您手上，祝您用餐愉快。"))])


def shortfall(order, cuts):
    """``cuts`` are (product title, units cut, amount, product) for this order; what it means for
    the buyer's money comes from ``shop.order.money``, so the mail promises a refund only
    when money was taken."""
    lines = "\n".join(
        _("· %(title)s 少 %(qty)s，减 ¥%(amount)s")
        % {"title": t, "qty": units.amount(q, p[0] if p else None), "amount": a}
        for t, q, a, *p in cuts
    )
    after = money.after_a_cut(money.of(order))
    body = _("农户这次交的货比承诺的少，您的订单有以下调整：\n%(lines)s\n%(after)s") % {
        "lines": lines,
        "after": after,
    }
    _send([_message(order, _("订单缺货调整"), body)])
