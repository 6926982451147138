"""Wagtail pages: the home page, stories about the work, and their index.

Pages own their listing queries (``get_context``) so templates stay simple.
Stories link to the products, team and village they talk about, which is how a
product page finds "the stories behind these eggs".
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index


def check_root_slug(slug, parent_depth):
    """Raise if a page directly under the site root would take a URL prefix the shop owns."""
    if parent_depth == 2 and slug in settings.RESERVED_ROOT_SLUGS:
        raise ValidationError(
            {"slug": _("“%(slug)s”是商城保留的网址，请换一个。") % {"slug": slug}}
        )


class ShopAwarePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        parent = getattr(self, "parent_page", None)
        if parent is not None and "slug" in cleaned_data:
            try:
                check_root_slug(cleaned_data["slug"], parent.depth)
            except ValidationError as error:
                self.add_error("slug", error.message_dict["slug"])
        return cleaned_data


class ShopAwarePage(Page):
    """Refuses top-level slugs that the shop, admin or language prefixes own.

    Django resolves the shop's URLs before Wagtail's catch-all, so such a page
    could never be reached; telling the editor beats a page that silently 404s.
    """

    base_form_class = ShopAwarePageForm

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.depth:
            check_root_slug(self.slug, self.depth - 1)


class HomePage(ShopAwarePage):
    hero_title = models.CharField(_("大标题"), max_length=80, default="")
    hero_text = models.CharField(_("副标题"), max_length=200, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intro = RichTextField(_("介绍"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")],
            heading=_("首屏"),
        ),
        FieldPanel("intro"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from catalogue.selectors import this_weeks_produce

        context = super().get_context(request, *args, **kwargs)
        context["produce"] = this_weeks_produce(limit=8)
        context["stories"] = (
            StoryPage.objects.live()
            .public()
            .select_related("cover_image")
            .order_by("-date", "-pk")[:4]
        )
        context["story_index"] = StoryIndexPage.objects.live().first()
        return context


class StoryIndexPage(ShopAwarePage):
    intro = RichTextField(_("介绍"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryPage"]
    per_page = 12

    class Meta:
        verbose_name = _("故事列表")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        stories = (
            StoryPage.objects.child_of(self)
            .live()
            .public()
            .select_related("cover_image", "team", "village")
            .order_by("-date", "-pk")
        )
        paginator = Paginator(stories, self.per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        context["stories"] = page
        return context


class StoryPage(ShopAwarePage):
    date = models.DateField(_("日期"), default=timezone.localdate)
    summary = models.CharField(_("摘要"), max_length=200)
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("小标题"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("段落"))),
            ("image", ImageBlock(label=_("图片"))),
            (
                "quote",
                blocks.StructBlock(
                    [("text", blocks.TextBlock(label=_("引文"))), ("source", blocks.CharBlock(label=_("出处"), required=False))],
                    label=_("引用"),
                    template="blocks/quote_block.html",
                ),
            ),
        ],
        verbose_name=_("正文"),
    )
    team = models.ForeignKey(
        "partner.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories",
        verbose_name=_("工作队"),
    )
    village = models.ForeignKey(
        "catalogue.Village", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories",
        verbose_name=_("村庄"),
    )
    related_products = ParentalManyToManyField(
        "catalogue.Product", blank=True, related_name="stories", verbose_name=_("相关产品")
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("team"), FieldPanel("village"), FieldPanel("related_products")],
            heading=_("关联"),
        ),
    ]
    parent_page_types = ["content.StoryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("故事")
        verbose_name_plural = _("故事")
