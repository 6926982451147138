"""Every date a buyer reads carries its weekday: ``12月6日 周六`` (``Sat 12/6`` under /en/).

Run dates, order cut-offs, pickup windows and order times are written by these functions,
in the pages (the ``day`` and ``moment`` filters of ``buyer_tags``), the delivery choices,
the text messages and the e-mails alike, so a buyer never sees the same day written two
ways.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


def _local(value):
    if hasattr(value, "hour") and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def weekday(value):
    """``周六`` (``Sat``)."""
    return str(WEEKDAYS[_local(value).weekday()])


def day(value):
    """``12月6日 周六`` (``Sat 12/6``) for a date or a datetime (in the shop's time zone)."""
    value = _local(value)
    return _("%(month)s月%(day)s日 %(weekday)s") % {
        "month": value.month,
        "day": value.day,
        "weekday": weekday(value),
    }


def moment(value):
    """``12月6日 周六 10:30`` for a datetime, in the shop's time zone."""
    return f"{day(value)} {_local(value):%H:%M}"


def window(date, start, end):
    """``12月6日 周六 8:30–11:00``: a pickup window on a run's date."""
    return f"{day(date)} {start:%H:%M}–{end:%H:%M}"
