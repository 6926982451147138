"""Admin choosers that let editors pick shop objects inside StreamField blocks.

Products, households, work teams and villages are Oscar/Django models, not
Wagtail snippets, so each gets a ``ChooserViewSet`` (registered in
``wagtail_hooks``) and a ``ChooserBlock`` made from it.

Search works as the site search does: Chinese words match the names
(``icontains``, the Wagtail backend cannot segment Chinese), and a word typed in
pinyin or initials ("jidan", "jd") matches the names' pinyin. Products are found
through the site search index itself (``shop.search.engines``); households,
teams and villages are few, so their names are spelled with the same segmenter
in the worker that asks, once per name. Results show a photo and the village,
so the editor can tell two "王大姐家" apart.
"""

import functools

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.coreutils import resolve_model_string

from catalogue.templatetags.product_images import responsive_image
from shop.search.engines import engine
from shop.search.models import SearchDocument
from shop.search.segmenter import ASCII_WORD_RE, segmenter

MAX_WORDS = 5


def is_pinyin(word):
    return bool(ASCII_WORD_RE.match(word.lower()))


@functools.lru_cache(maxsize=20000)
def spellings(text):
    """(keys, whole) for a name: its words with their pinyin and initials, and the whole name
    spelled out (``王大姐家`` → ``wangdajiejia``, ``wdjj``), all by the site search's segmenter."""
    seg = segmenter
    keys = frozenset(seg.with_pinyin(seg.words(text)))
    return keys, seg.pinyin(text) or ()


def spelled_like(text, word):
    """A word's beginning (``jd``, ``jidan``), or three letters or more anywhere in the whole
    name's spelling (``rmyy`` in 县人民医院…)."""
    word = word.lower()
    keys, whole = spellings(text or "")
    if any(key.startswith(word) for key in keys):
        return True
    return len(word) >= 3 and any(word in spelled for spelled in whole)


class ContainsSearchForm(BaseFilterForm):
    """The chooser's search box: every word must match one of ``search_fields``, or, typed in
    pinyin, the pinyin of one of ``spelled_fields``."""

    search_fields = ()
    spelled_fields = ()

    q = forms.CharField(
        label=_("搜索"),
        widget=forms.TextInput(attrs={"placeholder": _("名称、村名，也可以输入拼音或首字母")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            for word in query.split()[:MAX_WORDS]:
                condition = Q()
                for field in self.search_fields:
                    condition |= Q(**{f"{field}__icontains": word})
                if is_pinyin(word):
                    condition |= Q(pk__in=self.spelled_ids(objects, word))
                objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects.distinct() if query else objects

    def spelled_ids(self, objects, word):
        if not self.spelled_fields:
            return []
        rows = objects.order_by().values_list("pk", *self.spelled_fields)
        return [pk for pk, *texts in rows if any(spelled_like(t, word) for t in texts)]


# Matches read in the first statement; more take a second one.
CHOOSER_MATCHES = 500


class ProductSearchForm(ContainsSearchForm):
    """Products in pinyin come from the site search index (title, village, team, category)."""

    def spelled_ids(self, objects, word):
        index = engine()
        groups = [[(word.lower(), True)]]
        found, document_ids = index.page(groups, 0, CHOOSER_MATCHES)
        if found and found > len(document_ids):  # every match, however many
            _found, document_ids = index.page(groups, 0, found)
        return SearchDocument.objects.filter(pk__in=document_ids, kind="product").values(
            "object_id"
        )


def search_form(base, search_fields, spelled_fields):
    return type(
        "SearchForm", (base,), {"search_fields": search_fields, "spelled_fields": spelled_fields}
    )


class PhotoColumn(Column):
    """A small square photo, or a line saying why there is none."""

    cell_template_name = "content/chooser_photo_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        photo = context["raw_value"]
        context["photo"] = photo if isinstance(photo, dict) else None
        context["note"] = "" if isinstance(photo, dict) else (photo or "")
        return context


def _thumbnail(image_field):
    return responsive_image(image_field, widths=(160,)) if image_field else None


def product_photo(product):
    images = list(product.images.all())  # prefetched
    return _thumbnail(images[0].original) if images else _("没有照片")


def household_photo(household):
    if not household.photo:
        return _("没有照片")
    if not household.consent_photo:
        return _("未同意公开照片")
    return _thumbnail(household.photo)


def team_villages(team):
    return "、".join(v.name for v in team.villages.all())


class ShopChooserViewSet(ChooserViewSet):
    """A chooser without the "create" tab: shop objects are made in the shop dashboard."""

    per_page = 15
    search_fields = ()
    spelled_fields = ()
    select_related = ()
    prefetch_related = ()
    search_form_class = ContainsSearchForm
    extra_columns = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_class = search_form(self.search_form_class, self.search_fields, self.spelled_fields)
        extra = {"filter_form_class": form_class}
        if self.extra_columns:
            extra_columns = self.extra_columns

            def columns(view):
                return [view.title_column, *extra_columns()]

            extra["columns"] = property(columns)
        self.choose_view_class = type("ChooseView", (self.choose_view_class,), extra)
        self.choose_results_view_class = type(
            "ChooseResultsView", (self.choose_results_view_class,), extra
        )

    def get_object_list(self):
        return (
            resolve_model_string(self.model)
            .objects.select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
        )


class ProductChooserViewSet(ShopChooserViewSet):
    model = "catalogue.Product"
    icon = "pick"
    choose_one_text = _("选择产品")
    choose_another_text = _("换一个产品")
    edit_item_text = _("编辑产品")
    search_fields = ("title", "upc", "origin_village__name")
    search_form_class = ProductSearchForm
    select_related = ("origin_village",)
    prefetch_related = ("images",)

    @staticmethod
    def extra_columns():
        return [
            PhotoColumn("photo", label=_("照片"), accessor=product_photo),
            Column("village", label=_("产地村"), accessor="origin_village.name"),
        ]

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
    spelled_fields = ("public_name", "village__name", "produces")
    select_related = ("village",)

    @staticmethod
    def extra_columns():
        return [
            PhotoColumn("photo", label=_("照片"), accessor=household_photo),
            Column("village", label=_("村庄"), accessor="village.name"),
            Column("produces", label=_("主要产品"), accessor="produces"),
        ]


class TeamChooserViewSet(ShopChooserViewSet):
    model = "partner.Partner"
    icon = "group"
    choose_one_text = _("选择工作队")
    choose_another_text = _("换一个工作队")
    edit_item_text = _("编辑工作队")
    search_fields = ("name", "institution", "villages__name")
    spelled_fields = ("name", "institution", "villages__name")
    prefetch_related = ("villages",)

    @staticmethod
    def extra_columns():
        return [
            Column("institution", label=_("派出单位"), accessor="institution"),
            Column("villages", label=_("驻村"), accessor=team_villages),
        ]


class VillageChooserViewSet(ShopChooserViewSet):
    model = "catalogue.Village"
    icon = "site"
    choose_one_text = _("选择村庄")
    choose_another_text = _("换一个村庄")
    edit_item_text = _("编辑村庄")
    search_fields = ("name", "township", "county")
    spelled_fields = ("name", "township")

    @staticmethod
    def extra_columns():
        return [Column("township", label=_("乡镇"), accessor="township")]


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
