"""Telling the buyer what became of an occurrence: an e-mail always (what was placed,
what was short, or why nothing could be; for an order paid online per order the link to
pay it, ``paying.pay_url``), and for a placed order the text message every
order gets (``shop.notices.order_confirmed``: place, time and pickup code)."""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shop import notices
from shop.buyer import links
from shop.core import dates
from shop.core.links import absolute
from shop.order import money
from shop.standing import paying, schedule
from shop.standing.models import StandingRun

logger = logging.getLogger(__name__)


def occurrence_decided(row):
    standing = row.standing
    address = standing.owner.email
    with translation.override(standing.language):
        context = {
            "row": row,
            "standing": standing,
            "run_day": dates.day(row.run.date),
            "notes": schedule.note_texts(row),
            "page_url": absolute(reverse("standing:detail", kwargs={"pk": standing.pk})),
        }
        if row.state == StandingRun.State.PLACED:
            order = row.order
            stop = order.run_link.pickup
            context.update(
                order=order,
                lines=list(order.lines.all()),
                money=money.of(order),
                place=stop.point.name,
                window=stop.window_label,
                order_url=links.order_url(order),
                pay=paying.of(order),
                pay_url=paying.pay_url(order),
            )
        subject = render_to_string("standing/emails/decided_subject.txt", context).strip()
        body = render_to_string("standing/emails/decided_body.txt", context)
    if address:
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # the order stands; the account page shows it
            logger.exception("Standing order %s: the e-mail could not be sent", standing.pk)
    if row.state == StandingRun.State.PLACED:
        notices.order_confirmed(row.order, language=standing.language)
