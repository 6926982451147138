"""StreamField blocks for stories, news and simple pages.

Editorial blocks (text, pictures, quotes, video links) sit beside shop blocks
that point at live shop data: a product card, a product list, a household
spotlight, a team card and a live impact figure. Shop blocks render from the
objects the page prefetched (``block_products``/``block_households`` in the
page context, see ``content.page_context.shop_objects_in``) so a page with ten
product cards costs the same queries as one with a single card; rendered
without that context (search indexing, previews) they fall back to the chosen
object itself.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

from content import impact
from content.choosers import (
    HouseholdChooserBlock,
    ProductChooserBlock,
    TeamChooserBlock,
    VillageChooserBlock,
)
from fulfilment import runs


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("带说明的图片")
        template = "blocks/figure_block.html"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), required=False, max_length=80)
    images = blocks.ListBlock(FigureBlock(label=_("图片")), label=_("图片"), min_num=1)

    class Meta:
        icon = "image"
        label = _("图集")
        template = "blocks/gallery_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    source = blocks.CharBlock(label=_("出处"), required=False)

    class Meta:
        icon = "openquote"
        label = _("引用")
        template = "blocks/quote_block.html"


class VideoLinkBlock(blocks.StructBlock):
    """A video kept as a link: no player or third-party script loads with the page."""

    url = blocks.URLBlock(label=_("视频链接"), help_text=_("视频号、B站等的分享链接"))
    title = blocks.CharBlock(label=_("视频标题"), max_length=120)
    poster = ImageChooserBlock(label=_("封面图"), required=False)

    class Meta:
        icon = "media"
        label = _("视频")
        template = "blocks/video_link_block.html"


class ProductCardBlock(blocks.StructBlock):
    product = ProductChooserBlock(label=_("产品"))
    note = blocks.CharBlock(label=_("推荐语"), required=False, max_length=120)

    class Meta:
        icon = "pick"
        label = _("产品卡片")
        template = "blocks/product_card_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        product = _shop_product(value.get("product"), parent_context)
        context["card_product"] = product
        context["next_run"] = _next_runs([product]).get(product.pk) if product else None
        return context


class ProductListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=80)
    products = blocks.ListBlock(ProductChooserBlock(label=_("产品")), label=_("产品"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("产品列表")
        template = "blocks/product_list_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        cards = [_shop_product(p, parent_context) for p in value.get("products") or []]
        context["card_products"] = [p for p in cards if p is not None]
        context["missing"] = len(cards) - len(context["card_products"])
        runs = _next_runs(context["card_products"])
        context["cards"] = [(p, runs.get(p.pk)) for p in context["card_products"]]
        return context


class HouseholdSpotlightBlock(blocks.StructBlock):
    """A household in its own words; prints only what the household agreed to show.

    The card shows the household's story when it agreed to its name being shown, its
    photo when it agreed to that, and the editor's own words. With none of these it
    would be an empty card saying "a household of X village", so readers get nothing
    and the editor's preview says why.
    """

    household = HouseholdChooserBlock(label=_("农户"))
    text = blocks.TextBlock(label=_("介绍"), required=False)

    class Meta:
        icon = "user"
        label = _("农户故事")
        template = "blocks/household_spotlight_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        household = value.get("household")
        if household is not None and parent_context:
            household = parent_context.get("block_households", {}).get(household.pk, household)
        context["household"] = household
        request = (parent_context or {}).get("request")
        context["is_preview"] = bool(getattr(request, "is_preview", False))
        if household is None:
            context["shown"] = None
            return context
        shown = {
            "photo": household.photo if household.consent_photo and household.photo else None,
            "story": household.story if household.consent_name and household.story else "",
            "text": value.get("text") or "",
        }
        context["shown"] = shown if any(shown.values()) else None
        return context


class TeamCardBlock(blocks.StructBlock):
    team = TeamChooserBlock(label=_("工作队"))

    class Meta:
        icon = "group"
        label = _("工作队卡片")
        template = "blocks/team_card_block.html"


class LiveFigureBlock(blocks.StructBlock):
    """A number computed from the order data when the page is shown (cached)."""

    metric = blocks.ChoiceBlock(
        label=_("指标"),
        choices=[
            ("income", _("农户增收（元）")),
            ("households", _("带动农户（户）")),
            ("orders", _("已送达订单（单）")),
            ("kilograms", _("运送农产品（公斤）")),
        ],
        default="income",
    )
    team = TeamChooserBlock(label=_("只算这个工作队"), required=False)
    village = VillageChooserBlock(label=_("只算这个村"), required=False)
    year = blocks.IntegerBlock(
        label=_("年份"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("留空表示全部年份"),
    )
    label = blocks.CharBlock(label=_("说明文字"), required=False, max_length=80)

    class Meta:
        icon = "order"
        label = _("实时数据")
        template = "blocks/live_figure_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        team, village = value.get("team"), value.get("village")
        context["figure"] = impact.live_figure(
            value.get("metric") or "income",
            team_id=team.pk if team else None,
            village_id=village.pk if village else None,
            year=value.get("year"),
        )
        return context


def _shop_product(product, parent_context):
    """The prefetched card version of ``product``, or None when it is gone or hidden."""
    if product is None:
        return None
    prefetched = (parent_context or {}).get("block_products")
    if prefetched is not None:
        return prefetched.get(product.pk)
    return product if product.is_public else None


def _next_runs(products):
    return runs.next_runs_for([p for p in products if p is not None])


def editorial_blocks():
    return [
        ("heading", blocks.CharBlock(label=_("小标题"), form_classname="title", icon="title")),
        ("paragraph", blocks.RichTextBlock(label=_("段落"))),
        ("image", ImageBlock(label=_("图片"))),
        ("figure", FigureBlock()),
        ("gallery", GalleryBlock()),
        ("quote", QuoteBlock()),
        ("video", VideoLinkBlock()),
    ]


def shop_blocks():
    return [
        ("product", ProductCardBlock()),
        ("product_list", ProductListBlock()),
        ("household", HouseholdSpotlightBlock()),
        ("team", TeamCardBlock()),
        ("live_figure", LiveFigureBlock()),
    ]


def body_blocks():
    """Everything a story, news item or simple page may contain."""
    return editorial_blocks() + shop_blocks()
