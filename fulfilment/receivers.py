"""Reactions to changes of runs and their orders: checkout's cached open runs start a new
generation, and a run's load and booked room are counted again when its orders change
after they were placed. Placing an order links it to its run itself
(``shop.order.placement``)."""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from fulfilment import runs, supply
from fulfilment.models import (
    DeliveryRun,
    DeliveryZone,
    OrderRun,
    PickupPoint,
    RunPickup,
    SupplyCommitment,
)
from shop.order import status as order_status
from shop.speed import page_cache

Order = get_model("order", "Order")
Line = get_model("order", "Line")

# What checkout's cached open runs (``runs.open_runs_for_checkout``) are made of.
for _model in (DeliveryRun, RunPickup, PickupPoint, DeliveryZone, get_model("partner", "Partner")):
    _uid = f"runs-cache-{_model._meta.label_lower}"
    post_save.connect(runs.bump_runs_generation, sender=_model, dispatch_uid=_uid + "-save")
    post_delete.connect(runs.bump_runs_generation, sender=_model, dispatch_uid=_uid + "-delete")
for _field in ("zones", "pickup_points"):
    m2m_changed.connect(
        runs.bump_runs_generation,
        sender=getattr(DeliveryRun, _field).through,
        dispatch_uid=f"runs-cache-{_field}",
    )


# --- pages showing runs (a product card's next run, the home page's list and produce) ---
# A run's change makes stale only the pages that showed runs of its team, or the list of
# open runs (``page_cache.runs_tag``); every other stored page stays.


@receiver(post_init, sender=DeliveryRun, dispatch_uid="fulfilment.pages.run_read")
def _note_team_read(sender, instance, **kwargs):
    instance._page_team_id = instance.__dict__.get("team_id")  # no query for a deferred one


@receiver(post_save, sender=DeliveryRun, dispatch_uid="fulfilment.pages.run_saved")
@receiver(post_delete, sender=DeliveryRun, dispatch_uid="fulfilment.pages.run_gone")
def _run_pages_stale(sender, instance, raw=False, **kwargs):
    if raw:
        return
    teams = {getattr(instance, "_page_team_id", None), instance.__dict__.get("team_id")}
    page_cache.note_runs_changed(teams)
    instance._page_team_id = instance.__dict__.get("team_id")


@receiver(post_save, sender=SupplyCommitment, dispatch_uid="fulfilment.pages.promise_saved")
@receiver(post_delete, sender=SupplyCommitment, dispatch_uid="fulfilment.pages.promise_gone")
def _produce_pages_stale(sender, instance, raw=False, **kwargs):
    """This week's produce (the home page) is what households promised for open runs."""
    if not raw:
        page_cache.note_runs_changed(())


# --- keeping RunLoad and booked room right when a run's orders change after they were placed
# Each watched row knows what it held when read (django-model-utils' ``FieldTracker``,
# ``tracker``); one whose values the tracker never saw (bulk-made in this process) is read
# back once, before its save.


def _run_of_order(order_id):
    return OrderRun.objects.filter(order_id=order_id).values_list("run_id", flat=True).first()


@receiver(pre_save, sender=OrderRun, dispatch_uid="fulfilment.run_load.link_before")
@receiver(pre_save, sender=Order, dispatch_uid="fulfilment.run_load.order_before")
@receiver(pre_save, sender=Line, dispatch_uid="fulfilment.run_load.line_before")
def _read_back_unknown_rows(sender, instance, **kwargs):
    tracker = instance.tracker
    fields = sorted(tracker.fields)
    if instance._state.adding or all(name in tracker.saved_data for name in fields):
        return
    if any(name in instance.get_deferred_fields() for name in fields):
        return  # the tracker reads a deferred field back itself
    found = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if found is not None:
        tracker.saved_data.update(found)


def _before_and_now(instance, created):
    """What the watched fields held before this save (None for a new row), and now."""
    tracker = instance.tracker
    fields = sorted(tracker.fields)
    now = tuple(getattr(instance, name) for name in fields)
    if created:
        return None, now
    return tuple(tracker.previous(name) for name in fields), now


@receiver(post_save, sender=OrderRun, dispatch_uid="fulfilment.run_load.link_after")
def _count_moved_order(sender, instance, created, **kwargs):
    before, now = _before_and_now(instance, created)
    if before is not None and before != now:
        supply.count_run_loads([before[0], now[0]])


@receiver(post_save, sender=Order, dispatch_uid="fulfilment.run_load.order_after")
def _count_cancelled_order(sender, instance, created, **kwargs):
    before, now = _before_and_now(instance, created)
    cancelled = order_status.CANCELLED
    if before is not None and (before[0] == cancelled) != (now[0] == cancelled):
        supply.count_run_loads([_run_of_order(instance.pk)])


@receiver(post_save, sender=Line, dispatch_uid="fulfilment.run_load.line_after")
def _count_changed_line(sender, instance, created, **kwargs):
    before, now = _before_and_now(instance, created)
    if before is not None and before != now:
        supply.count_run_loads([_run_of_order(instance.order_id)])


@receiver(post_delete, sender=OrderRun, dispatch_uid="fulfilment.run_load.link_gone")
def _count_unlinked_order(sender, instance, **kwargs):
    supply.count_run_loads([instance.run_id])


@receiver(post_delete, sender=Line, dispatch_uid="fulfilment.run_load.line_gone")
def _count_removed_line(sender, instance, **kwargs):
    supply.count_run_loads([_run_of_order(instance.order_id)])
