"""Forms the team fills in: a run, a household's supply promise, a shortfall."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment.models import DeliveryRun, DeliveryZone, PickupPoint

Product = get_model("catalogue", "Product")


def team_products(team):
    return Product.objects.filter(stockrecords__partner=team).distinct().order_by("title")


class RunForm(forms.ModelForm):
    points = forms.ModelMultipleChoiceField(
        label=_("停靠的自提点"), queryset=PickupPoint.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    window_start = forms.TimeField(label=_("自提开始时间"), initial="09:00")
    window_end = forms.TimeField(label=_("自提结束时间"), initial="11:00")

    class Meta:
        model = DeliveryRun
        fields = ["team", "date", "departure_time", "cutoff", "capacity_kg", "capacity_crates",
                  "start_label", "start_latitude", "start_longitude", "zones", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "departure_time": forms.TimeInput(attrs={"type": "time"}),
            "cutoff": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "zones": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
        self.fields["points"].queryset = PickupPoint.objects.filter(team__in=teams, is_active=True)
        self.fields["zones"].queryset = DeliveryZone.objects.filter(team__in=teams, is_active=True)
        if self.instance.pk:
            self.fields["points"].initial = list(self.instance.stops.values_list("point_id", flat=True))
            first = self.instance.stops.first()
            if first:
                self.fields["window_start"].initial = first.window_start
                self.fields["window_end"].initial = first.window_end

    def clean(self):
        data = super().clean()
        team = data.get("team")
        for point in data.get("points") or []:
            if team and point.team_id != team.pk:
                self.add_error("points", _("“%(name)s”不是本工作队的自提点。") % {"name": point.name})
        for zone in data.get("zones") or []:
            if team and zone.team_id != team.pk:
                self.add_error("zones", _("“%(name)s”不是本工作队的送货范围。") % {"name": zone.name})
        if data.get("window_start") and data.get("window_end") and data["window_end"] < data["window_start"]:
            self.add_error("window_end", _("结束时间不能早于开始时间。"))
        if data.get("cutoff") and data.get("date") and data["cutoff"].date() > data["date"]:
            self.add_error("cutoff", _("截单时间要在配送日期之前。"))
        if data.get("capacity_kg") is not None and data["capacity_kg"] <= 0:
            self.add_error("capacity_kg", _("载重要大于 0。"))
        return data


class CommitmentForm(forms.Form):
    household = forms.ModelChoiceField(label=_("农户"), queryset=Household.objects.none())
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("数量（填 0 删除）"), min_value=0, max_value=100000)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(team=team).select_related("village")
        self.fields["product"].queryset = team_products(team)


class ShortfallForm(forms.Form):
    household = forms.ModelChoiceField(label=_("农户"), queryset=Household.objects.none())
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("少交数量"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(team=team).select_related("village")
        self.fields["product"].queryset = team_products(team)
