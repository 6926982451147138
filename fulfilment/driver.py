"""The driver's taps: collected at a household, arrived at a pickup point, handed over,
cash taken.

Each rendered button carries a fresh UUID. ``tap`` stores it in ``DriverTap`` (unique), so
the same request sent twice on a bad connection acts once; the effect is written to the
database, so a reload shows it. The run moves along by itself: the first collection puts a
closed run into "collecting"; the car is on its way ("delivering", buyers are told) once
every household is collected, or when the driver sets off without the rest (``set_off``:
what they did not bring is recorded as shortfalls); the last hand-over marks it done.
Nothing happens in town before that: an arrival or hand-over tap while households are
still to collect is refused with a message saying so.

The last hand-over and the last collection of a run can be taken back for a while
(``undoable``/``undo``). What a tap does to the orders is the order-life module's
(``shop.order.life``).
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import runs, shortfalls
from fulfilment.models import Allocation, DeliveryRun, DriverTap, OrderRun
from shop.order import life, weighing
from shop.order import status as order_status
from shop.payment.processing import PaymentProblem

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


def households_to_collect(run):
    """[(household, [allocation])] still to collect on ``run``, in household order."""
    rows = {}
    for allocation in (
        Allocation.objects.filter(run=run, quantity__gt=0, collected_at__isnull=True)
        .select_related("household", "product")
        .order_by("household__public_name", "household_id", "product_id")
    ):
        rows.setdefault(allocation.household_id, (allocation.household, []))[1].append(allocation)
    return list(rows.values())


def tap(run, key, action, stop_key, order=None, actor=None, weight=None):
    """Apply one tap; return False when ``key`` was already used (nothing happens).
    ``weight`` is ``(line id, what was typed)`` for a weighing."""
    open_to_taps = (Status.CLOSED, Status.COLLECTING, Status.DELIVERING)
    if action in (Action.PAID, Action.WEIGHED):
        open_to_taps += (Status.DONE,)  # cash taken after the last hand-over
    if run.status not in open_to_taps:
        raise TapError(
            _("这个批次现在不能操作（%(status)s）。") % {"status": run.get_status_display()}
        )
    try:
        with transaction.atomic():
            before = DeliveryRun.objects.select_for_update().get(pk=run.pk).status
            DriverTap.objects.create(
                key=key,
                run=run,
                action=action,
                stop_key=stop_key,
                order=order,
                by=actor if actor.is_authenticated else None,
                run_status_before=before,
            )
            if action == Action.WEIGHED:
                _weigh(run, order, weight, actor)
            else:
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
        if runs.households_waiting(run):
            _advance(run, Status.COLLECTING, actor)
        else:  # the last household: the car leaves for town
            _advance(run, Status.DELIVERING, actor)
        return
    if action == Action.PAID:
        _cash(run, order, actor)
        return
    if action not in (Action.ARRIVED, Action.HANDED_OVER):
        raise TapError(_("未知操作。"))
    if run.status != Status.DELIVERING:
        waiting = runs.households_waiting(run)
        if waiting:
            raise TapError(
                _(
                    "还有 %(n)s 户没收货，车还没出发：先收完货，"
                    "或在司机页点“不等了，出发”，再到城里交货。"
                )
                % {"n": waiting}
            )
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


def _cash(run, order, actor):
    """The "已收款" tap: the cash still due on the order, through the order life."""
    if order is None or not OrderRun.objects.filter(run=run, order=order).exists():
        raise TapError(_("这个订单不在本批次。"))
    try:
        life.paid_in_cash(order, actor)
    except PaymentProblem as problem:
        raise TapError(str(problem)) from None


def _weigh(run, order, weight, actor):
    """The weighing form on an order's card: the real weight of one of its lines priced by
    weight, through the order life (``life.weighed``)."""
    line_id, typed = weight or (None, "")
    line = None
    if order is not None and str(line_id or "").isdigit():
        line = order.lines.filter(pk=int(line_id)).select_related("product").first()
    if line is None or not OrderRun.objects.filter(run=run, order=order).exists():
        raise TapError(_("这个订单不在本批次。"))
    try:
        life.weighed(line, typed, actor)
    except weighing.WeighingProblem as problem:
        raise TapError(str(problem)) from None


# --- going on without the rest ------------------------------------------------------


def set_off_preview(run):
    """What ``set_off`` would do now: (households still to collect, ``ShortfallPreview``)."""
    waiting = households_to_collect(run)
    missing = [(a.product, a.quantity) for _household, rows in waiting for a in rows]
    return waiting, shortfalls.preview(run, missing)


def set_off(run, actor=None):
    """ "不等了，出发": the car leaves with what it has. What the households not yet collected
    were to bring is recorded as shortfalls (their buyers' lines are cut and they are told),
    then the run is on its way. Returns the shortfalls recorded."""
    if run.status not in (Status.CLOSED, Status.COLLECTING):
        raise TapError(
            _("这个批次现在不能出发（%(status)s）。") % {"status": run.get_status_display()}
        )
    recorded = []
    with transaction.atomic():
        for household, rows in households_to_collect(run):
            for allocation in rows:
                recorded.append(
                    shortfalls.record_shortfall(
                        run,
                        household,
                        allocation.product,
                        allocation.quantity,
                        actor=actor,
                        note=_("没收到货，司机不等了先出发"),
                    )
                )
        _advance(run, Status.DELIVERING, actor)
    return recorded


# --- undo -----------------------------------------------------------------------------

UNDO_MINUTES = 10
UNDOABLE = (Action.HANDED_OVER, Action.COLLECTED)
TOWN_ACTIONS = (Action.ARRIVED, Action.HANDED_OVER)


def undoable(run, action, now=None):
    """The tap of ``action`` that may still be taken back on ``run``, or None: the run's
    latest tap of that kind, not undone, made in the last ``UNDO_MINUTES``, whose effect
    still stands; a collection only while nobody has tapped in town since."""
    if action not in UNDOABLE or run.status in (Status.OPEN, Status.CANCELLED):
        return None
    latest = (
        DriverTap.objects.filter(run=run, action=action)
        .select_related("order")
        .order_by("-at", "-pk")
        .first()
    )
    now = now or timezone.now()
    if (
        latest is None
        or latest.undone_at is not None
        or latest.at < now - datetime.timedelta(minutes=UNDO_MINUTES)
    ):
        return None
    if action == Action.HANDED_OVER:
        if not OrderRun.objects.filter(
            run=run, order_id=latest.order_id, handed_over_at__isnull=False
        ).exists():
            return None
    else:
        later_in_town = DriverTap.objects.filter(
            run=run, action__in=TOWN_ACTIONS, at__gte=latest.at, undone_at__isnull=True
        ).exists()
        collected = Allocation.objects.filter(
            run=run, household_id=_household_id(latest), collected_at__isnull=False
        ).exists()
        if later_in_town or not collected:
            return None
    return latest


def _household_id(tap):
    try:
        return int(tap.stop_key[1:])
    except ValueError:
        return None


def undo(run, tap_key, actor=None):
    """Take back the tap ``tap_key`` if it is still ``undoable``; returns the undone tap.
    A hand-over: the order goes back (``life.handed_over_undone``) and a run that was done
    because of it is delivering again. A collection: the household is to collect again,
    and the run steps back to where that tap found it."""
    with transaction.atomic():
        run = DeliveryRun.objects.select_for_update().get(pk=run.pk)
        tap_row = DriverTap.objects.filter(run=run, key=tap_key).first()
        if tap_row is None:
            raise TapError(_("找不到这次操作。"))
        current = undoable(run, tap_row.action)
        if current is None or current.pk != tap_row.pk:
            raise TapError(_("这次操作已经不能撤销了（已撤销、超过时间，或之后又有新的操作）。"))
        note = _("撤销：%(action)s") % {"action": tap_row.get_action_display()}
        if tap_row.action == Action.HANDED_OVER:
            link = OrderRun.objects.select_related("order").get(run=run, order=tap_row.order)
            life.handed_over_undone(link, actor)
            if run.status == Status.DONE:
                runs.step_back(run, Status.DELIVERING, actor=actor, note=note)
        else:
            Allocation.objects.filter(run=run, household_id=_household_id(tap_row)).update(
                collected_at=None
            )
            back_to = tap_row.run_status_before
            if back_to != run.status and back_to in runs.STEPS_BACK.get(run.status, ()):
                runs.step_back(run, back_to, actor=actor, note=note)
        tap_row.undone_at = timezone.now()
        tap_row.save(update_fields=["undone_at"])
    return tap_row
