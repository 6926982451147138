"""A team's trip (``DeliveryRun``): its stops, status changes, the orders it carries,
the room they take and the driver's taps. The processes live in ``fulfilment.runs``
and ``fulfilment.driver``."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker

from fulfilment.choice import RunChoice
from fulfilment.models.places import LATITUDE_RANGE, LONGITUDE_RANGE, DeliveryZone, PickupPoint
from shop.core import dates


class DeliveryRun(models.Model):
    """One trip of a team's car: order cut-off, collection from households, drop-off in town.

    Status changes go through ``fulfilment.runs`` so each is checked and logged.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("接单中")
        CLOSED = "closed", _("已截单")
        COLLECTING = "collecting", _("收货中")
        DELIVERING = "delivering", _("配送中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="delivery_runs",
        verbose_name=_("工作队"),
    )
    date = models.DateField(_("配送日期"))
    departure_time = models.TimeField(_("出发时间"))
    cutoff = models.DateTimeField(_("截单时间"))
    capacity_kg = models.DecimalField(_("载重（公斤）"), max_digits=7, decimal_places=1)
    capacity_crates = models.PositiveIntegerField(
        _("蛋箱/禽笼数"), default=0, help_text=_("0 表示不限")
    )
    # The room the run's orders take, and orders being placed have taken: kept by
    # ``shop.order.placement`` (conditional updates) and ``supply.count_run_loads``.
    booked_kg = models.DecimalField(
        max_digits=10, decimal_places=3, default=Decimal("0"), editable=False
    )
    booked_crates = models.PositiveIntegerField(default=0, editable=False)
    start_label = models.CharField(_("出发地"), max_length=100)
    start_latitude = models.DecimalField(
        _("出发地纬度"), max_digits=9, decimal_places=6, validators=LATITUDE_RANGE
    )
    start_longitude = models.DecimalField(
        _("出发地经度"), max_digits=9, decimal_places=6, validators=LONGITUDE_RANGE
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    pickup_points = models.ManyToManyField(
        PickupPoint, through="RunPickup", related_name="runs", verbose_name=_("自提点")
    )
    zones = models.ManyToManyField(
        DeliveryZone, blank=True, related_name="runs", verbose_name=_("送货上门范围")
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    route = models.JSONField(_("路线"), default=dict, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("配送批次")
        verbose_name_plural = _("配送批次")
        ordering = ["date", "departure_time", "pk"]

    def __str__(self):
        return _("%(date)s %(time)s 车次") % {
            "date": dates.day(self.date),
            "time": self.departure_time.strftime("%H:%M"),
        }

    BOOKED_FIELDS = ("booked_kg", "booked_crates")

    def save(self, *args, **kwargs):
        """Never write the booked room back from a run read earlier (a team's edit form,
        the admin): orders change it meanwhile, with conditional updates of their own."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.BOOKED_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def departure(self):
        tz = timezone.get_current_timezone()
        return timezone.make_aware(datetime.datetime.combine(self.date, self.departure_time), tz)

    @property
    def start_point(self):
        return (float(self.start_latitude), float(self.start_longitude))

    @property
    def is_open_for_orders(self):
        return self.status == self.Status.OPEN and timezone.now() < self.cutoff


class RunPickup(models.Model):
    """A pickup point the run stops at, with the window buyers can collect in."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="stops")
    point = models.ForeignKey(PickupPoint, on_delete=models.PROTECT, related_name="run_stops")
    window_start = models.TimeField(_("取货开始"))
    window_end = models.TimeField(_("取货结束"))

    class Meta:
        verbose_name = _("批次自提点")
        verbose_name_plural = _("批次自提点")
        ordering = ["window_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "point"], name="run_pickup_unique_point")
        ]

    def __str__(self):
        return f"{self.point.name} {self.window_label}"

    @property
    def window_label(self):
        return dates.window(self.run.date, self.window_start, self.window_end)

    @property
    def shipping_code(self):
        return RunChoice.at_stop(self).code


class RunEvent(models.Model):
    """One status change of a run: who, when, from, to and why."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.run_id}: {self.from_status} → {self.to_status}"


class OrderRun(models.Model):
    """Which run carries an order, and where it is handed over (a pickup stop or a zone)."""

    tracker = FieldTracker(fields=["run_id"])  # what a save changed (fulfilment.receivers)

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="run_link")
    run = models.ForeignKey(DeliveryRun, on_delete=models.PROTECT, related_name="order_links")
    pickup = models.ForeignKey(
        RunPickup, on_delete=models.PROTECT, null=True, blank=True, related_name="order_links"
    )
    zone = models.ForeignKey(
        DeliveryZone, on_delete=models.PROTECT, null=True, blank=True, related_name="order_links"
    )
    weight_kg = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    crates = models.PositiveIntegerField(default=0)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    ready_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("订单配送")
        verbose_name_plural = _("订单配送")

    def __str__(self):
        return f"{self.order_id} → {self.run_id}"


class RunLoad(models.Model):
    """How many units of a product a run's orders hold (cancelled orders left out).

    Checkout asks it for every order (room in the car, supply left); adding up the lines
    of every order on the run instead grew with the run, about 10 ms of database time per
    question at 1,200 orders. Placing an order adds its lines here with a conditional
    update before the order is written (``fulfilment.runs.take_room``); any other change to
    a run's orders counts the run again (``fulfilment.supply.count_run_loads``)."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="loads")
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "product"], name="one_load_per_run_product")
        ]

    def __str__(self):
        return f"{self.run_id}/{self.product_id}: {self.quantity}"


class RunBooking(models.Model):
    """Units of a product an order being placed has taken on a run (counted in ``RunLoad``
    and the run's ``booked_*``) before the order itself exists. ``shop.order.placement``
    writes them when it takes the room and deletes them in the order's transaction, or
    when it gives the room back; counting a run again adds them to the orders' lines, so
    an order in flight is never counted out."""

    key = models.UUIDField(db_index=True)
    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="bookings")
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.run_id}/{self.product_id}: {self.quantity} ({self.key})"


class DriverTap(models.Model):
    """One button tap in the driver view. ``key`` is generated per rendered button, so a
    retried request with the same key is recognised and does nothing the second time."""

    class Action(models.TextChoices):
        COLLECTED = "collected", _("已收货")
        ARRIVED = "arrived", _("已到达")
        HANDED_OVER = "handed_over", _("已交货")
        PAID = "paid", _("已收款")
        WEIGHED = "weighed", _("已称重")

    key = models.UUIDField(unique=True)
    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="taps")
    action = models.CharField(max_length=12, choices=Action.choices)
    stop_key = models.CharField(max_length=32)
    order = models.ForeignKey(
        "order.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # Undo (``fulfilment.driver.undo``): where the run stood before the tap, and when the
    # tap was taken back.
    run_status_before = models.CharField(max_length=12, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.stop_key}"
