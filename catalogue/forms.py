"""Filters and sort order for the catalogue listing."""

from django import forms
from django.utils.translation import gettext_lazy as _

SORTS = {
    "newest": (_("最新上架"), ["-date_created", "-pk"]),
    # Figures stored on the product (``catalogue.sort_figures``), each sort an index.
    "price_asc": (_("价格从低到高"), ["lowest_price", "pk"]),
    "price_desc": (_("价格从高到低"), ["-lowest_price", "-pk"]),
    "popular": (_("最受欢迎"), ["-units_handed_over", "-date_created", "-pk"]),
}


class BrowseForm(forms.Form):
    village = forms.CharField(required=False)
    team = forms.CharField(required=False)
    in_stock = forms.BooleanField(required=False, label=_("只看有货"))
    sort = forms.ChoiceField(
        required=False, choices=[(k, v[0]) for k, v in SORTS.items()], label=_("排序")
    )

    def clean_sort(self):
        return self.cleaned_data.get("sort") or "newest"
