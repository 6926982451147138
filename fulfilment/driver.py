"""The driver's taps: collected at a household, arrived at a pickup point, handed over.

Each rendered button carries a fresh UUID. ``tap`` stores it in ``DriverTap`` (unique), so
the same request sent twice on a bad connection acts once; the effect is written to the
database, so a reload shows it. The run moves along by itself: the first collection puts a
closed run into "collecting", the first town stop into "delivering" (buyers get the
on-its-way e-mail), and the last handover marks it done.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import notifications, runs
from fulfilment.models import Allocation, DeliveryRun, DriverTap, OrderRun

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
    now = timezone.now()
    if action == Action.COLLECTED:
        if not stop_key.startswith("h"):
            raise TapError(_("只有农户站可以点“已收货”。"))
        Allocation.objects.filter(
            run=run, household_id=int(stop_key[1:]), collected_at__isnull=True
        ).update(collected_at=now)
        _advance(run, Status.COLLECTING, actor)
        return
    _advance(run, Status.DELIVERING, actor)
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
        OrderRun.objects.filter(pk__in=[link.pk for link in links]).update(ready_notified_at=now)
        transaction.on_commit(lambda: notifications.ready_at_pickup(links))
        return
    if action == Action.HANDED_OVER:
        link = (
            OrderRun.objects.filter(run=run, order=order)
            .select_related("order", "order__shipping_address", "zone", "pickup__point")
            .first()
        )
        if link is None:
            raise TapError(_("这个订单不在本批次。"))
        if link.handed_over_at is None:
            link.handed_over_at = now
            link.save(update_fields=["handed_over_at"])
            transaction.on_commit(lambda: notifications.delivered(link))
        pending = (
            OrderRun.objects.filter(run=run, handed_over_at__isnull=True)
            .exclude(order__status="已取消")
            .exists()
        )
        if not pending:
            _advance(run, Status.DONE, actor)
        return
    raise TapError(_("未知操作。"))
