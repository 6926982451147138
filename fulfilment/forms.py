"""Forms the team fills in: a run with its stops, a household's supply promise, a
shortfall, the team's pickup points, delivery zones and crate sizes, a home address pin."""

import datetime
import re

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment.models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    CratePacking,
    DeliveryRun,
    DeliveryZone,
    PickupPoint,
)

Product = get_model("catalogue", "Product")

WINDOW_TIMES = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})")
STOP_KEY = re.compile(r"stop-(\d+)-on")
DECIMAL_NUMBER = re.compile(r"\d+\.\d+")


def team_products(team):
    return Product.objects.filter(stockrecords__partner=team).distinct().order_by("title")


def window_times(text, default=(datetime.time(9, 0), datetime.time(11, 0))):
    """(start, end) read from a pickup point's window text ("周六 8:30–11:00"), else ``default``."""
    match = WINDOW_TIMES.search(text or "")
    if not match:
        return default
    try:
        start = datetime.time(int(match.group(1)), int(match.group(2)))
        end = datetime.time(int(match.group(3)), int(match.group(4)))
    except ValueError:
        return default
    return (start, end) if start < end else default


class RunForm(forms.ModelForm):
    """A run and, per pickup point, whether the car stops there and when buyers collect.

    Each candidate point (the team's active ones, plus any the run already stops at) gets a
    row of three fields, ``stop-<point id>-on``/``-start``/``-end``; ``stop_rows`` hands
    them to the template and ``cleaned_data["stops"]`` is ``{point: (start, end)}``.
    """

    class Meta:
        model = DeliveryRun
        fields = [
            "team",
            "date",
            "departure_time",
            "cutoff",
            "capacity_kg",
            "capacity_crates",
            "start_label",
            "start_latitude",
            "start_longitude",
            "zones",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "departure_time": forms.TimeInput(attrs={"type": "time"}),
            "cutoff": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "zones": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].error_messages["invalid_choice"] = _("只能选自己的工作队。")
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
        current = self.instance.pk is not None
        self.fields["zones"].queryset = DeliveryZone.objects.filter(team__in=teams).filter(
            Q(is_active=True) | Q(pk__in=self.instance.zones.all() if current else [])
        )
        stops = {}
        if current:
            stops = {
                stop.point_id: stop
                for stop in self.instance.stops.annotate(order_count=Count("order_links"))
            }
        points = (
            PickupPoint.objects.filter(team__in=teams)
            .filter(Q(is_active=True) | Q(pk__in=list(stops)))
            .select_related("team")
            .order_by("team__name", "name")
        )
        self.stop_points = list(points)
        self._stops = stops
        for point in self.stop_points:
            stop = stops.get(point.pk)
            start, end = (
                (stop.window_start, stop.window_end) if stop else window_times(point.window)
            )
            prefix = f"stop-{point.pk}"
            self.fields[f"{prefix}-on"] = forms.BooleanField(
                label=point.name, required=False, initial=stop is not None
            )
            self.fields[f"{prefix}-start"] = forms.TimeField(
                label=_("开始"),
                required=False,
                initial=start,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"{prefix}-end"] = forms.TimeField(
                label=_("结束"),
                required=False,
                initial=end,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    @property
    def main_fields(self):
        return [field for field in self if not field.name.startswith("stop-")]

    @property
    def stop_rows(self):
        rows = []
        for point in self.stop_points:
            prefix = f"stop-{point.pk}"
            stop = self._stops.get(point.pk)
            fields = [self[f"{prefix}-on"], self[f"{prefix}-start"], self[f"{prefix}-end"]]
            rows.append(
                {
                    "point": point,
                    "on": fields[0],
                    "start": fields[1],
                    "end": fields[2],
                    "order_count": stop.order_count if stop else 0,
                    "errors": [error for field in fields for error in field.errors],
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        team = data.get("team")
        self._clean_zones(data, team)
        self._refuse_unknown_stops()
        data["stops"] = self._chosen_stops(data, team)
        if data.get("cutoff") and data.get("date") and data["cutoff"].date() > data["date"]:
            self.add_error("cutoff", _("截单时间要在配送日期之前。"))
        if data.get("capacity_kg") is not None and data["capacity_kg"] <= 0:
            self.add_error("capacity_kg", _("载重要大于 0。"))
        return data

    def _clean_zones(self, data, team):
        """Zones of this team only, and none dropped that orders are tied to."""
        for zone in data.get("zones") or []:
            if team and zone.team_id != team.pk:
                self.add_error(
                    "zones", _("“%(name)s”不是本工作队的送货范围。") % {"name": zone.name}
                )
        if self.instance.pk and "zones" in data:
            dropped = set(self.instance.zones.all()) - set(data["zones"])
            for zone in dropped:
                if self.instance.order_links.filter(zone=zone).exists():
                    self.add_error(
                        "zones", _("“%(name)s”已有订单，不能去掉。") % {"name": zone.name}
                    )

    def _refuse_unknown_stops(self):
        """A stop posted for a point this form does not offer (stopped, another team's)."""
        known = {str(point.pk) for point in self.stop_points}
        posted = {match.group(1) for key in self.data if (match := STOP_KEY.fullmatch(key))}
        if posted - known:
            self.add_error(None, _("有自提点已停用或不属于本工作队，请刷新后重选。"))

    def _chosen_stops(self, data, team):
        """{point: (window start, window end)} of the ticked stops that are valid."""
        chosen = {}
        for point in self.stop_points:
            window = self._stop_window(point, data, team)
            if window is not None:
                chosen[point] = window
        return chosen

    def _stop_window(self, point, data, team):
        """The pickup window of one point, or None when it is not ticked or is refused
        (the reason is added to the form's errors)."""
        prefix = f"stop-{point.pk}"
        if not data.get(f"{prefix}-on"):
            stop = self._stops.get(point.pk)
            if stop is not None and stop.order_count:
                self.add_error(
                    f"{prefix}-on",
                    _("%(name)s 已有 %(n)s 个订单，不能去掉。")
                    % {"name": point.name, "n": stop.order_count},
                )
            return None
        if team and point.team_id != team.pk:
            self.add_error(
                f"{prefix}-on", _("“%(name)s”不是本工作队的自提点。") % {"name": point.name}
            )
            return None
        start, end = data.get(f"{prefix}-start"), data.get(f"{prefix}-end")
        if start is None or end is None:
            if f"{prefix}-start" not in self.errors and f"{prefix}-end" not in self.errors:
                self.add_error(f"{prefix}-end", _("请填写取货开始和结束时间。"))
            return None
        if end <= start:
            self.add_error(f"{prefix}-end", _("结束时间要晚于开始时间。"))
            return None
        return (start, end)


class HouseholdProductForm(forms.Form):
    """One of the team's households and one of its products (a promise, a shortfall)."""

    household = forms.ModelChoiceField(label=_("农户"), queryset=Household.objects.none())
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(team=team).select_related(
            "village"
        )
        self.fields["product"].queryset = team_products(team)


class CommitmentForm(HouseholdProductForm):
    quantity = forms.IntegerField(label=_("数量（填 0 删除）"), min_value=0, max_value=100000)


class ShortfallForm(HouseholdProductForm):
    quantity = forms.IntegerField(label=_("少交数量"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class TeamOwnedForm(forms.ModelForm):
    """A form for something that belongs to one team: the team is chosen from the user's
    own teams when creating and fixed afterwards; coordinates come in pairs."""

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = teams
        team.error_messages["invalid_choice"] = _("只能选自己的工作队。")
        if self.instance.pk:
            team.disabled = True
        elif teams.count() == 1:
            team.initial = teams.first()

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (
            (lat is None) != (lng is None)
            and "latitude" not in self.errors
            and "longitude" not in self.errors
        ):
            self.add_error(
                "longitude" if lng is None else "latitude", _("纬度和经度要一起填，或都不填。")
            )
        return data


class PickupPointForm(TeamOwnedForm):
    class Meta:
        model = PickupPoint
        fields = [
            "team",
            "name",
            "address",
            "window",
            "notes",
            "latitude",
            "longitude",
            "is_active",
        ]
        labels = {"window": _("默认取货时间")}
        help_texts = {
            "window": _("例如：周六 9:00–11:00；新建批次时按这里的时间预填"),
            "latitude": _("在手机地图上长按该地点可看到经纬度；用于规划路线"),
            "is_active": _("停用后不再出现在新批次和结算页里，已有订单不受影响"),
        }
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }


class DeliveryZoneForm(TeamOwnedForm):
    class Meta:
        model = DeliveryZone
        fields = [
            "team",
            "name",
            "fee",
            "minimum_order",
            "districts",
            "latitude",
            "longitude",
            "is_active",
        ]
        help_texts = {
            "districts": _(
                "街道、小区或邮编，每行一个。可在名称后写经纬度，例如“建设路 27.7281,109.1923”，"
                "规划路线时这条街的地址就按这个位置算"
            ),
            "is_active": _("停用后不再出现在新批次和结算页里，已有订单不受影响"),
        }
        widgets = {
            "districts": forms.Textarea(attrs={"rows": 5}),
            "fee": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "minimum_order": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
            ),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }

    def clean_districts(self):
        text = self.cleaned_data["districts"]
        entries = DeliveryZone(districts=text).district_entries
        if not any(name for name, _place in entries):
            raise forms.ValidationError(_("请至少填一个街道、小区或邮编。"))
        problems = []
        for name, place in entries:
            if not name:
                problems.append(
                    _("坐标 %(lat)s,%(lng)s 前面要写街道或小区名称。")
                    % {"lat": place[0], "lng": place[1]}
                )
            elif place and not (-90 <= place[0] <= 90 and -180 <= place[1] <= 180):
                problems.append(
                    _("“%(name)s”的坐标不对：纬度在 -90 到 90 之间，经度在 -180 到 180 之间。")
                    % {"name": name}
                )
            elif DECIMAL_NUMBER.search(name):
                problems.append(
                    _("“%(name)s”里的坐标要写成“名称 纬度,经度”，例如“建设路 27.7281,109.1923”。")
                    % {"name": name}
                )
        if problems:
            raise forms.ValidationError(problems)
        return text


class CratePackingForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("产品"),
        queryset=Product.objects.none(),
        error_messages={"invalid_choice": _("只能设置本工作队的产品。")},
    )
    units_per_crate = forms.IntegerField(
        label=_("每箱/笼数量（留空或填 0 表示不用装箱）"),
        min_value=0,
        max_value=10000,
        required=False,
        error_messages={"min_value": _("数量不能是负数。"), "max_value": _("数量太大了。")},
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def save(self):
        product, units = self.cleaned_data["product"], self.cleaned_data.get("units_per_crate")
        if not units:
            CratePacking.objects.filter(product=product).delete()
            return None
        packing, _created = CratePacking.objects.update_or_create(
            product=product, defaults={"units_per_crate": units}
        )
        return packing


class AddressPinForm(forms.Form):
    """Where a home order's address is; both fields empty removes the pin."""

    order = forms.IntegerField()
    latitude = forms.DecimalField(
        label=_("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=LATITUDE_RANGE,
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=LONGITUDE_RANGE,
    )

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None) and not ({"latitude", "longitude"} & set(self.errors)):
            raise forms.ValidationError(_("纬度和经度要一起填，或都不填。"))
        return data
