"""The driver's taps: collected at a household, arrived at a pickup point, handed over.

Each rendered button carries a fresh UUID. ``tap`` stores it in ``DriverTap`` (unique), so
the same request sent twice on a bad connection acts once; the effect is written to the
database, so a reload shows it. The run moves along by itself: the first collection puts a
closed run into "collecting", the first town stop into "delivering" (buyers get the
on-its-way e-mail), and the last handover marks it done. What a tap does to the orders is
the order-life module's (``shop.order.life``).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import runs
from fulfilment.models import Allocation, DeliveryRun, DriverTap, OrderRun
from shop.order import life
from shop.order import status as order_status

Status = DeliveryRun.Status
Action = DriverTap.Action


class TapError(ValueError):
    pass


def _advance(run, to_status, actor):
    path = [Status.CLOSED, Status.COLLECTING, Status.DELIVERING, Status.DONE]
    if run.status not in path or path.index(run.status) >= path.index(to_status):
        return
    for status in path[path.index(run.status) + 1 : path.index(to_status) + 1]:
        runs.change_status(run, status, actor=actor, note=_("司机操作"))


def tap(run, key, action, stop_key, order=None, actor=None):
    """Apply one tap; return False when ``key`` was already used (nothing happens)."""
    if run.status not in (Status.CLOSED, Status.COLLECTING, Status.DELIVERING):
        raise TapError(
            _("这个批次现在不能操作（%(status)s）。") % {"status": run.get_status_display()}
        )
    try:
        with transaction.atomic():
            DriverTap.objects.create(
                key=key,
                run=run,
                action=action,
                stop_key=stop_key,
                order=order,
                by=actor if actor.is_authenticated else None,
            )
            _apply(run, action, stop_key, order, actor)
    except IntegrityError:
        if DriverTap.objects.filter(key=key).exists():
            return False
        raise
    return True


def _apply(run, action, stop_key, order, actor):
    if action == Action.COLLECTED:
        if not stop_key.startswith("h"):
            raise TapError(_("只有农户站可以点“已收货”。"))
        Allocation.objects.filter(
            run=run, household_id=int(stop_key[1:]), collected_at__isnull=True
        ).update(collected_at=timezone.now())
        _advance(run, Status.COLLECTING, actor)
        return
    if action not in (Action.ARRIVED, Action.HANDED_OVER):
        raise TapError(_("未知操作。"))
    _advance(run, Status.DELIVERING, actor)
    life.out_for_delivery(run)
    if action == Action.ARRIVED:
        if not stop_key.startswith("p"):
            raise TapError(_("只有自提点可以点“已到达”。"))
        links = list(
            OrderRun.objects.filter(
                run=run, pickup_id=int(stop_key[1:]), ready_notified_at__isnull=True
            ).select_related(
                "order", "order__shipping_address", "order__user", "pickup__point", "pickup__run"
            )
        )
        life.ready_at_pickup(links)
        return
    link = (
        OrderRun.objects.filter(run=run, order=order)
        .select_related("order", "order__shipping_address", "zone", "pickup__point")
        .first()
    )
    if link is None:
        raise TapError(_("这个订单不在本批次。"))
    life.handed_over(link, actor)
    pending = (
        OrderRun.objects.filter(run=run, handed_over_at__isnull=True)
        .exclude(order__status=order_status.CANCELLED)
        .exists()
    )
    if not pending:
        _advance(run, Status.DONE, actor)
