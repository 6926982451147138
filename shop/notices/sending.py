"""Recording a notice once and handing it to the channel.

``notify`` writes the ``Notice`` row under its idempotency key (a second call with the same
key finds it and sends nothing) and queues ``tasks.send_notice`` once the order's
transaction commits; ``deliver`` (in ``tasks``, beside the task that calls it) sends a row
that has not gone out yet."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from kombu.exceptions import OperationalError

from shop.buyer import links
from shop.buyer.lookup import order_phone
from shop.notices import channels
from shop.notices.models import Notice
from shop.notices.tasks import deliver, send_notice

logger = logging.getLogger(__name__)


def language_of(order):
    """The language the buyer ordered in: the one the order's first notice was written in."""
    first = order.notices.order_by("pk").values_list("language", flat=True).first()
    return first or settings.LANGUAGE_CODE


def notify(order, kind, params, key, language=None):
    """Record and queue one text message about ``order``; the row (new or already there),
    or None when the order has no mobile number."""
    phone = order_phone(order)
    if not phone:
        return None
    language = language or language_of(order)
    with translation.override(language):
        params = {"number": order.number, **params, "link": links.order_url(order)}
    return record(key, kind, phone, language, params, order=order)


def record(key, kind, phone, language, params, **about):
    """Write the notice under ``key`` and queue it after the commit; the row already there
    (nothing queued) when the key was used before. ``about``: its order or payout."""
    try:
        with transaction.atomic():  # the unique key decides: a second call writes nothing
            notice = Notice.objects.create(
                key=key,
                kind=kind,
                phone=phone,
                language=language,
                params={name: str(value) for name, value in params.items()},
                **about,
            )
    except IntegrityError:
        return Notice.objects.filter(key=key).first()
    transaction.on_commit(lambda: queue(notice.pk), robust=True)
    return notice


def queue(notice_id):
    try:
        send_notice.delay(notice_id)
    except OperationalError:
        logger.warning("Task queue unreachable; sending notice %s now", notice_id)
        try:
            deliver(notice_id)
        except channels.SmsError:
            logger.exception("Notice %s could not be sent", notice_id)
