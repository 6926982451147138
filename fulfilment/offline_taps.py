"""What a driver's phone is told about a tap it sends late.

Taps made with no signal wait on the phone (``static/js/driver.js``) and arrive minutes or
hours later, possibly after another member of the team already did the same thing on their
own phone (each rendered button has its own key, so ``driver.tap`` would not recognise it).
``made_already`` finds that earlier tap while its effect still stands, so the view can tell
the phone "已由 张三 登记" instead of recording the stop twice.
"""

from fulfilment.models import Allocation, DriverTap, OrderRun
from shop.order import money

Action = DriverTap.Action


def _effect_stands(run, action, stop_key, order):
    """Whether what ``action`` does at ``stop_key`` is in the database now (an undone tap
    is not "made already")."""
    try:
        target = int(stop_key[1:])
    except ValueError:
        return False
    if action == Action.COLLECTED:
        allocations = Allocation.objects.filter(run=run, household_id=target, quantity__gt=0)
        return allocations.exists() and not allocations.filter(collected_at__isnull=True).exists()
    if action == Action.ARRIVED:
        links = OrderRun.objects.filter(run=run, pickup_id=target)
        return links.exists() and not links.filter(ready_notified_at__isnull=True).exists()
    if action == Action.PAID and order is not None:
        order_money = money.of(order)
        return order_money.paid_cash > 0 and not order_money.cash_to_collect
    if action == Action.HANDED_OVER and order is not None:
        return OrderRun.objects.filter(run=run, order=order, handed_over_at__isnull=False).exists()
    return False


def made_already(run, action, stop_key, order=None):
    """The latest earlier ``DriverTap`` that did this same thing, or None."""
    earlier = (
        DriverTap.objects.filter(run=run, action=action, stop_key=stop_key, order=order)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )
    if earlier is None or not _effect_stands(run, action, stop_key, order):
        return None
    return earlier


def tapped_by_name(tap):
    """The name the team knows the tapping member by."""
    user = tap.by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
