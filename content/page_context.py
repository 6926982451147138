"""What the content pages show besides themselves: the shop objects a body's blocks
point at, this week's produce and the next runs on the home page, the story index's
filter.

Nothing here imports ``content.models``: the page hands itself in (``StoryFilter``
asks the index for its stories), so the page models import this module at the top
and the import graph runs one way, pages -> page_context -> catalogue and fulfilment.
Queries other apps ask of the pages (a product's stories) live in ``content.selectors``,
which imports the page models.
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Household, Village
from catalogue.selectors import product_card_queryset, this_weeks_produce
from fulfilment import supply
from fulfilment.models import SupplyCommitment
from fulfilment.runs import open_runs
from shop.partner.models import Partner
from shop.speed import page_cache

PRODUCT_BLOCKS = {"product": "product"}
PRODUCT_LIST_BLOCKS = {"product_list": "products"}
HOUSEHOLD_BLOCKS = {"household": "household"}


def _raw_blocks(stream):
    raw = getattr(stream, "raw_data", None)
    if raw is None:
        return []
    return [block for block in raw if isinstance(block, dict)]


def _item_value(item):
    """ListBlock items are ``{"type": "item", "value": x}`` (or bare values in old data)."""
    return item.get("value") if isinstance(item, dict) else item


def _as_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def mentioned_product_ids(stream):
    """Ids of every product a body's product card and product list blocks point at."""
    ids = []
    for block in _raw_blocks(stream):
        value = block.get("value") or {}
        if not isinstance(value, dict):
            continue
        if block.get("type") in PRODUCT_BLOCKS:
            ids.append(_as_id(value.get(PRODUCT_BLOCKS[block["type"]])))
        elif block.get("type") in PRODUCT_LIST_BLOCKS:
            ids.extend(_as_id(_item_value(i)) for i in value.get("products") or [])
    return list(dict.fromkeys(i for i in ids if i))


def mentioned_household_ids(stream):
    ids = []
    for block in _raw_blocks(stream):
        value = block.get("value") or {}
        if block.get("type") in HOUSEHOLD_BLOCKS and isinstance(value, dict):
            ids.append(_as_id(value.get("household")))
    return list(dict.fromkeys(i for i in ids if i))


def shop_objects_in(stream, extra_product_ids=()):
    """Context for rendering a body's shop blocks: products ready for cards, households.

    Products that were deleted or unpublished are simply absent, and the blocks
    then say so instead of failing.
    """
    product_ids = list(dict.fromkeys([*mentioned_product_ids(stream), *extra_product_ids]))
    household_ids = mentioned_household_ids(stream)
    products = product_card_queryset().in_bulk(product_ids) if product_ids else {}
    households = (
        Household.objects.select_related("village").in_bulk(household_ids) if household_ids else {}
    )
    return {"block_products": products, "block_households": households}


def next_run_of_each_team():
    """Each team's next open run (the first to close), earliest cut-off first. A page
    drawn for the cache goes stale when a run changes (``page_cache.runs_tag``)."""
    page_cache.depends_on(page_cache.runs_tag())
    first = {}
    for run in open_runs().prefetch_related(None).order_by("cutoff", "pk"):
        first.setdefault(run.team_id, run)
    return list(first.values())


def next_runs():
    """The home page's cut-offs: each team's next open run, with its team and cut-off."""
    return [{"run": run, "team": run.team, "cutoff": run.cutoff} for run in next_run_of_each_team()]


class StoryFilterForm(forms.Form):
    team = forms.SlugField(required=False, allow_unicode=True)
    village = forms.SlugField(required=False, allow_unicode=True)
    year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("年份要写成四位数字，例如 2026。")},
    )
    tag = forms.SlugField(required=False, allow_unicode=True)


class StoryFilter:
    """The story index's filters: team, village, year and tag, from the query string.

    Options come from live stories only, so every choice leads somewhere. A bad
    value shows a message and leaves the list unfiltered.
    """

    def __init__(self, index, data):
        self.index = index
        self.form = StoryFilterForm(data)
        self.base = index.newest_stories()

    @property
    def errors(self):
        return [str(e) for errors in self.form.errors.values() for e in errors]

    @property
    def active(self):
        return {
            k: v for k, v in (self.form.cleaned_data.items() if self.form.is_valid() else []) if v
        }

    def stories(self):
        stories = self.base
        if self.form.is_valid():
            data = self.form.cleaned_data
            if data["team"]:
                stories = stories.filter(team__slug=data["team"])
            if data["village"]:
                stories = stories.filter(village__slug=data["village"])
            if data["year"]:
                stories = stories.filter(
                    date__gte=datetime.date(data["year"], 1, 1),
                    date__lte=datetime.date(data["year"], 12, 31),
                )
            if data["tag"]:
                stories = stories.filter(tags__slug=data["tag"])
        return (
            stories.select_related("cover_image", "team", "village")
            .order_by("-date", "-pk")
            .distinct()
        )

    def options(self):
        """Teams, villages, years and tags that have at least one live story here."""
        ids = self.base.values("pk")
        return {
            "teams": list(
                Partner.objects.filter(stories__in=ids).exclude(slug="").distinct().order_by("name")
            ),
            "villages": list(Village.objects.filter(stories__in=ids).distinct().order_by("name")),
            "years": sorted({d.year for d in self.base.dates("date", "year")}, reverse=True),
            "tags": list(
                self.base.filter(tags__isnull=False)
                .values_list("tags__slug", "tags__name")
                .distinct()
                .order_by("tags__name")
            ),
        }


def fresh_this_week(limit=8):
    """What the home page's 本周新鲜 shows: in season and in stock for the next open run.

    The shop keeps no season calendar; what households promised for their team's next
    open run (``fulfilment.SupplyCommitment``) is what is in season, since nobody promises
    watermelons in December. A product is shown while some of that promise is still
    unsold on the run and its stock record has stock. Eggs come first when there are eggs
    (the category with slug ``eggs``), then one product of each other category in turn,
    in the order the categories are kept.
    While no team records supply for an open run, products in stock are shown, newest
    first.
    """
    runs = next_run_of_each_team()
    promised = set(
        SupplyCommitment.objects.filter(run__in=runs, quantity__gt=0).values_list(
            "product_id", flat=True
        )
    )
    if not promised:
        return this_weeks_produce(limit=limit)
    left = {}
    for by_product in supply.remaining_by_run(runs, promised).values():
        for product_id, quantity in by_product.items():
            left[product_id] = left.get(product_id, 0) + quantity
    products = (
        product_card_queryset()
        .filter(pk__in=[pk for pk, quantity in left.items() if quantity > 0])
        .filter(stockrecords__num_in_stock__gt=0)
        .distinct()
    )

    # One of each category in turn (the one most is left of), in the categories' order
    # with eggs leading each round: a varied grid that opens with eggs.
    by_category = {}
    for product in sorted(products, key=lambda p: (-left[p.pk], p.pk)):
        first = min(product.categories.all(), key=lambda c: c.path, default=None)
        by_category.setdefault(first, []).append(product)

    def order(category):
        return (getattr(category, "slug", "") != "eggs", getattr(category, "path", "~"))

    rounds = [by_category[category] for category in sorted(by_category, key=order)]
    shown = [
        group[i]
        for i in range(max(map(len, rounds), default=0))
        for group in rounds
        if i < len(group)
    ]
    return shown[:limit]
