"""Admin choosers that let editors pick shop objects inside StreamField blocks.

Products, households, work teams and villages are Oscar/Django models, not
Wagtail snippets, so each gets a ``ChooserViewSet`` (registered in
``wagtail_hooks``) and a ``ChooserBlock`` made from it. Search is a plain
``icontains`` over the Chinese names, which the Wagtail search backend cannot
segment; at a few thousand rows that is fast enough for a modal.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.coreutils import resolve_model_string


class ContainsSearchForm(BaseFilterForm):
    """The chooser's search box: every word must appear in one of ``search_fields``."""

    search_fields = ()

    q = forms.CharField(
        label=_("搜索"),
        widget=forms.TextInput(attrs={"placeholder": _("输入名称、村名……")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            for word in query.split()[:5]:
                condition = Q()
                for field in self.search_fields:
                    condition |= Q(**{f"{field}__icontains": word})
                objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects.distinct() if query else objects


def search_form(*fields):
    return type("SearchForm", (ContainsSearchForm,), {"search_fields": fields})


class ShopChooserViewSet(ChooserViewSet):
    """A chooser without the "create" tab: shop objects are made in the shop dashboard."""

    per_page = 15
    search_fields = ()
    select_related = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_view_class = type(
            "ChooseView",
            (self.choose_view_class,),
            {"filter_form_class": search_form(*self.search_fields)},
        )
        self.choose_results_view_class = type(
            "ChooseResultsView",
            (self.choose_results_view_class,),
            {"filter_form_class": search_form(*self.search_fields)},
        )

    def get_object_list(self):
        return resolve_model_string(self.model).objects.select_related(*self.select_related)


class ProductChooserViewSet(ShopChooserViewSet):
    model = "catalogue.Product"
    icon = "pick"
    choose_one_text = _("选择产品")
    choose_another_text = _("换一个产品")
    edit_item_text = _("编辑产品")
    search_fields = ("title", "upc", "origin_village__name")
    select_related = ("origin_village",)

    def get_object_list(self):
        return super().get_object_list().filter(parent__isnull=True).order_by("title")


class HouseholdChooserViewSet(ShopChooserViewSet):
    """Editors search by the public name, village or produce; private fields stay hidden."""

    model = "catalogue.Household"
    icon = "user"
    choose_one_text = _("选择农户")
    choose_another_text = _("换一户")
    edit_item_text = _("查看农户")
    search_fields = ("public_name", "village__name", "produces")
    select_related = ("village",)


class TeamChooserViewSet(ShopChooserViewSet):
    model = "partner.Partner"
    icon = "group"
    choose_one_text = _("选择工作队")
    choose_another_text = _("换一个工作队")
    edit_item_text = _("编辑工作队")
    search_fields = ("name", "institution")


class VillageChooserViewSet(ShopChooserViewSet):
    model = "catalogue.Village"
    icon = "site"
    choose_one_text = _("选择村庄")
    choose_another_text = _("换一个村庄")
    edit_item_text = _("编辑村庄")
    search_fields = ("name", "township", "county")


product_chooser = ProductChooserViewSet("product_chooser", url_prefix="choose/product")
household_chooser = HouseholdChooserViewSet("household_chooser", url_prefix="choose/household")
team_chooser = TeamChooserViewSet("team_chooser", url_prefix="choose/team")
village_chooser = VillageChooserViewSet("village_chooser", url_prefix="choose/village")

ProductChooserBlock = product_chooser.get_block_class("ProductChooserBlock", "content.choosers")
HouseholdChooserBlock = household_chooser.get_block_class(
    "HouseholdChooserBlock", "content.choosers"
)
TeamChooserBlock = team_chooser.get_block_class("TeamChooserBlock", "content.choosers")
VillageChooserBlock = village_chooser.get_block_class("VillageChooserBlock", "content.choosers")

ALL = [product_chooser, household_chooser, team_chooser, village_chooser]
