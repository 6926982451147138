"""Where food is handed over: pickup points (自提点), home-delivery zones and the
pins a team puts on buyers' home addresses."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
