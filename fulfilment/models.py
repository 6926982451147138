"""Getting food from the village to the buyer.

A pickup point (自提点) is where buyers collect their order: a hospital lobby,
a community gate, a market stall. Each belongs to the work team whose car stops
there and has a time window. Delivery runs, zones and lists build on these.

A ``DeliveryRun`` stops at pickup points (``RunPickup``, each with its own window)
and serves home-delivery zones. Orders are tied to a run by ``OrderRun``;
households promise supply per run (``SupplyCommitment``) and at cut-off the sold
units are credited to them (``Allocation``). The processes live in ``runs``,
``supply``, ``shortfalls``, ``payouts``, ``lists`` and ``driver``.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker

from shop import dates

LATITUDE_RANGE = [
    MinValueValidator(-90, message=_("纬度要在 -90 到 90 之间。")),
    MaxValueValidator(90, message=_("纬度要在 -90 到 90 之间。")),
]
LONGITUDE_RANGE = [
    MinValueValidator(-180, message=_("经度要在 -180 到 180 之间。")),
    MaxValueValidator(180, message=_("经度要在 -180 到 180 之间。")),
]
NOT_NEGATIVE = [MinValueValidator(0, message=_("金额不能是负数。"))]

# "建设路 27.7281,109.1923": a district name followed by optional coordinates. Both numbers
# need a decimal point, so postcodes and house numbers are never taken for coordinates.
DISTRICT_COORDINATES = re.compile(
    r"[ \t(（@]*(-?\d{1,3}\.\d+)[ \t]*[,，][ \t]*(-?\d{1,3}\.\d+)[ \t)）]*"
)


class PickupPoint(models.Model):
    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="pickup_points",
        verbose_name=_("工作队"),
    )
    name = models.CharField(_("名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=200)
    window = models.CharField(_("取货时间"), max_length=64, help_text=_("例如：周六 9:00–11:00"))
    notes = models.CharField(_("说明"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE_RANGE
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE_RANGE
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("自提点")
        verbose_name_plural = _("自提点")
        ordering = ["team_id", "name"]

    def __str__(self):
        return self.name


class DeliveryZone(models.Model):
    """A home-delivery area of one team.

    The area is a list of district names or postcodes, one per line or separated by
    commas/、. An address is inside the zone when its postcode is in the list or any
    listed name appears in the address text (the buyer writes e.g. "城关镇建设路 12 号").
    A list beats a centre and radius here: buyers know their district, not coordinates.

    A district may carry coordinates after its name ("建设路 27.7281,109.1923"); route
    planning then places a home address in that district there instead of at the centre.
    """

    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="delivery_zones",
        verbose_name=_("工作队"),
    )
    name = models.CharField(_("名称"), max_length=64)
    fee = models.DecimalField(
        _("配送费（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=NOT_NEGATIVE,
    )
    minimum_order = models.DecimalField(
        _("起送金额（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=NOT_NEGATIVE,
    )
    districts = models.TextField(
        _("服务范围"), help_text=_("街道、小区或邮编，每行一个，也可用逗号或顿号分隔")
    )
    latitude = models.DecimalField(
        _("中心纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("路线规划时，送货上门的订单按此位置估算"),
        validators=LATITUDE_RANGE,
    )
    longitude = models.DecimalField(
        _("中心经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE_RANGE,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("送货上门范围")
        verbose_name_plural = _("送货上门范围")
        ordering = ["team_id", "name"]

    def __str__(self):
        return self.name

    @property
    def district_entries(self):
        """[(name, (lat, lng) or None)] in the order written; names may be empty when a
        line holds coordinates only (the zone form refuses that)."""
        marked = DISTRICT_COORDINATES.sub(
            lambda m: f"@{m.group(1)}:{m.group(2)}", self.districts or ""
        )
        entries = []
        for part in re.split(r"[\n,，、;；]+", marked):
            name, _at, coordinates = part.partition("@")
            name = name.strip()
            place = None
            if coordinates:
                lat, _colon, lng = coordinates.strip().partition(":")
                place = (float(lat), float(lng))
            if name or place:
                entries.append((name, place))
        return entries

    @property
    def district_list(self):
        return [name for name, _place in self.district_entries if name]

    def _matches(self, name, text, postcode):
        return (postcode and name == postcode) or (name in text)

    def covers(self, address_text, postcode=""):
        postcode = (postcode or "").replace(" ", "")
        text = address_text or ""
        return any(self._matches(name, text, postcode) for name in self.district_list)

    def place_of(self, address_text, postcode=""):
        """Coordinates of the most specific (longest) matching district that has them,
        else None; the caller falls back to the zone's centre."""
        postcode = (postcode or "").replace(" ", "")
        text = address_text or ""
        matches = [
            (len(name), place)
            for name, place in self.district_entries
            if name and place and self._matches(name, text, postcode)
        ]
        return max(matches, key=lambda m: m[0])[1] if matches else None


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
        from fulfilment.runs import RunChoice  # runs builds on these models

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


class AddressPin(models.Model):
    """Where a buyer's home address really is, pinned by the team on a run page.

    Keyed by the team and the address text with spaces and punctuation removed, so the
    next order to the same address is placed there without asking again. Nothing here
    comes from a map service: the team reads the position off their own phone's map.
    """

    team = models.ForeignKey(
        "partner.Partner", on_delete=models.CASCADE, related_name="address_pins"
    )
    key = models.CharField(max_length=255)
    address = models.CharField(_("地址"), max_length=255)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, validators=LATITUDE_RANGE
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, validators=LONGITUDE_RANGE
    )
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("地址定位")
        verbose_name_plural = _("地址定位")
        constraints = [
            models.UniqueConstraint(fields=["team", "key"], name="address_pin_unique_per_team")
        ]

    def __str__(self):
        return self.address

    @staticmethod
    def key_for(text):
        return re.sub(r"[\s,，.。、;；:：#＃()（）\-–—]+", "", text or "").lower()[:255]


class CratePacking(models.Model):
    """How many units of a product fill one egg crate or bird cage; products without a
    row need none. A run's crate count is, per product, the sold quantity divided by this,
    rounded up."""

    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, related_name="crate_packing"
    )
    units_per_crate = models.PositiveIntegerField(
        _("每箱/笼数量"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("装箱规格")
        verbose_name_plural = _("装箱规格")

    def __str__(self):
        return f"{self.product_id}: {self.units_per_crate}"


class SupplyCommitment(models.Model):
    """ "王家: 60 eggs for Saturday": what a household promises for a run."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="commitments")
    household = models.ForeignKey(
        "catalogue.Household",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("农户"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("产品"),
    )
    quantity = models.PositiveIntegerField(_("数量"))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("供货承诺")
        verbose_name_plural = _("供货承诺")
        ordering = ["household_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "household", "product"], name="commitment_unique_per_run"
            )
        ]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: {self.quantity}"


class Allocation(models.Model):
    """The sold units of a product credited to one household at a run's cut-off."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="allocations")
    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.PROTECT, related_name="allocations"
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    collected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["household_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "household", "product"], name="allocation_unique_per_run"
            )
        ]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: {self.quantity}"


class Shortfall(models.Model):
    """A household supplied fewer units than it was allocated for a run."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="shortfalls")
    household = models.ForeignKey(
        "catalogue.Household",
        on_delete=models.PROTECT,
        related_name="shortfalls",
        verbose_name=_("农户"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="shortfalls",
        verbose_name=_("产品"),
    )
    quantity = models.PositiveIntegerField(_("少交数量"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: -{self.quantity}"


class LineCut(models.Model):
    """How many units of one order line a shortfall took away."""

    shortfall = models.ForeignKey(Shortfall, on_delete=models.CASCADE, related_name="cuts")
    line = models.ForeignKey("order.Line", on_delete=models.CASCADE, related_name="cuts")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self):
        return f"line {self.line_id}: -{self.quantity}"


class RefundOwed(models.Model):
    """Money the shop owes a buyer; the payments side turns it into a real refund and sets
    ``settled_at``/``reference``."""

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="refunds_owed")
    line = models.ForeignKey(
        "order.Line", on_delete=models.CASCADE, null=True, blank=True, related_name="refunds_owed"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.CharField(max_length=200)
    shortfall = models.ForeignKey(
        Shortfall, on_delete=models.SET_NULL, null=True, blank=True, related_name="refunds"
    )
    created = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = _("待退款")
        verbose_name_plural = _("待退款")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.order_id}: ¥{self.amount}"


class LineWeight(models.Model):
    """The real weight of an order line priced by weight (its birds together), recorded by
    the team at collection or hand-over (``shop.order.life.weighed``). ``amount`` is what
    the weight changes on the line: the real value less what the buyer was charged at the
    estimate for the pieces delivered (above zero the buyer owes more, below zero less).
    Weighing again replaces the weight and the amount; there is one row per line."""

    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="weighing")
    weight_jin = models.DecimalField(max_digits=6, decimal_places=1)
    pieces = models.PositiveIntegerField()
    price_per_jin = models.DecimalField(max_digits=8, decimal_places=2)
    charged = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    refund_owed = models.ForeignKey(
        RefundOwed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"line {self.line_id}: {self.weight_jin} jin"

    @property
    def difference(self):
        """The change without its sign (the page says "多" or "少")."""
        return abs(self.amount)


class Payout(models.Model):
    """A household's earnings for a run or a month, snapshotted when marked as paid.

    ``covered_runs`` names every run the payout settled, so a run paid inside a month is
    never paid again on its own, and the other way round (see ``fulfilment.payouts``)."""

    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.PROTECT, related_name="payouts"
    )
    run = models.ForeignKey(
        DeliveryRun, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    month = models.DateField(null=True, blank=True, help_text="first day of the month")
    gross = models.DecimalField(max_digits=10, decimal_places=2)
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    net = models.DecimalField(max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(default=timezone.now)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    covered_runs = models.ManyToManyField(
        DeliveryRun,
        blank=True,
        related_name="+",
        help_text="the runs whose allocations this payout paid (one for a run payout)",
    )

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "run"],
                condition=models.Q(run__isnull=False),
                name="payout_once_per_run",
            ),
            models.UniqueConstraint(
                fields=["household", "month"],
                condition=models.Q(month__isnull=False),
                name="payout_once_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.household_id}: ¥{self.net}"


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


def new_household_token():
    import secrets

    return secrets.token_urlsafe(16)


class HouseholdLink(models.Model):
    """The private link a team hands a household for its own page (``/h/<token>/``): no
    password, so the token is the key. Revoking it stops it at once; a new one is made."""

    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.CASCADE, related_name="page_links"
    )
    token = models.CharField(max_length=32, unique=True, default=new_household_token)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_household_link",
            )
        ]

    def __str__(self):
        return f"{self.household_id}: {'revoked' if self.revoked_at else 'live'}"
