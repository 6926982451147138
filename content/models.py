"""Wagtail pages: the home page, stories and news about the work, simple pages
and the impact page, with the rules for where each may live.

Pages own their listing queries (``get_context``) so templates stay simple.
Stories link to the products, team and village they talk about, which is how a
product page finds "the stories behind these eggs" (``content.selectors``, which
reads these models). What a page shows besides itself comes from
``content.page_context``, which knows no page model, so imports run one way.
Chinese is the only page language: ``/en/...`` serves the same page with English
interface text, so there is nothing to translate per page.
"""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import GroupApprovalTask, Page
from wagtail.search import index

from content import impact, page_context
from content.blocks import body_blocks
from content.feeds import AtomStoryFeed, StoryFeed
from shop.core.qr import qr_svg

PHONE_WIDTH = 390  # a common phone's CSS width; WeChat's browser fills it
SHARE_IMAGE_SPEC = "fill-600x600|format-jpeg"  # the same picture share_meta.html gives WeChat

SLUG_TAKEN_MESSAGE = _(
    "网址名“%(slug)s”已被同一栏目下的另一个页面使用（也可能是自动保存的草稿），请换一个。"
)
SLUG_MOVED_MESSAGE = _(
    "网址名“%(taken)s”已被同一栏目下的另一个页面（也可能是自动保存的草稿）使用，"
    "这篇改用“%(slug)s”。"
)


def check_root_slug(slug, parent_depth):
    """Raise if a page directly under the site root would take a URL prefix the shop owns."""
    if parent_depth == 2 and slug in settings.RESERVED_ROOT_SLUGS:
        raise ValidationError(
            {"slug": _("“%(slug)s”是商城保留的网址，请换一个。") % {"slug": slug}}
        )


def free_slug(slug, parent, instance=None):
    """``slug``, or the first of ``slug-2``, ``slug-3``… no sibling under ``parent`` uses."""
    candidate, n = slug, 1
    while not Page._slug_is_available(candidate, parent, instance):
        n += 1
        suffix = f"-{n}"
        candidate = slug[: 255 - len(suffix)] + suffix
    return candidate


class ShopAwarePageForm(WagtailAdminPageForm):
    """Page form with the shop's slug rules, in the editor's language.

    Wagtail's autosave creates the page as a draft while the editor types; an editor
    who then starts the same story again gets the same slug from the same title. A
    new page therefore takes the next free slug (``-2``, ``-3``…) and the editor is
    told which; an existing page whose slug is changed to a taken one gets a message
    in Chinese instead of Wagtail's untranslated English one.

    A new page's form also carries the key of this editing session (``editing_key``):
    the first post creates the page, later posts of the same form edit it
    (``content.editing``), so one session never makes two pages.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["editing_key"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=uuid.uuid4().hex
            )

    def clean(self):
        parent = getattr(self, "parent_page", None)
        slug = self.cleaned_data.get("slug")
        if slug and parent is not None and not Page._slug_is_available(slug, parent, self.instance):
            if self.instance.pk is None:
                self.cleaned_data["slug"] = free_slug(slug, parent, self.instance)
                self.instance.slug_taken = slug
            else:
                self.add_error("slug", SLUG_TAKEN_MESSAGE % {"slug": slug})
        cleaned_data = super().clean()
        parent = getattr(self, "parent_page", None)
        if parent is not None and "slug" in cleaned_data:
            try:
                check_root_slug(cleaned_data["slug"], parent.depth)
            except ValidationError as error:
                self.add_error("slug", error.message_dict["slug"])
        return cleaned_data

    def get_field_updates_for_resave(self):
        """An autosave that moved a new page to a free slug puts it in the open form too."""
        updates = super().get_field_updates_for_resave()
        if getattr(self.instance, "slug_taken", None):
            updates.append(("slug", self.instance.slug))
        return updates


class ShopAwarePage(Page):
    """Refuses top-level slugs that the shop, admin or language prefixes own.

    Django resolves the shop's URLs before Wagtail's catch-all, so such a page
    could never be reached; telling the editor beats a page that silently 404s.
    """

    base_form_class = ShopAwarePageForm
    # Wagtail would index the page inside the editor's request; content.receivers queues it.
    search_auto_update = False

    title_en = models.CharField(
        _("英文标题"),
        max_length=255,
        blank=True,
        help_text=_("英文页面上显示的标题；不填就显示中文标题"),
    )
    promote_panels = Page.promote_panels + [FieldPanel("title_en")]

    class Meta:
        abstract = True

    @property
    def shown_title(self):
        """The title in the reader's language: ``title_en`` under /en/ when there is one."""
        if self.title_en and get_language() == "en":
            return self.title_en
        return self.title

    def clean(self):
        super().clean()
        if self.depth:
            check_root_slug(self.slug, self.depth - 1)

    def share_image(self):
        """The picture WeChat and Open Graph show for this page (or None)."""
        return getattr(self, "cover_image", None)

    def share_title(self):
        return self.title

    def share_description(self):
        return self.search_description or getattr(self, "summary", "") or ""

    # --- the admin's preview: a phone first (most readers open stories in WeChat) ---

    @property
    def preview_sizes(self):
        return [
            {
                "name": "phone",
                "icon": "mobile-alt",
                "device_width": PHONE_WIDTH,
                "label": _("按手机屏幕宽度预览"),
            },
            {
                "name": "tablet",
                "icon": "tablet-alt",
                "device_width": 768,
                "label": _("按平板宽度预览"),
            },
            {
                "name": "desktop",
                "icon": "desktop",
                "device_width": 1280,
                "label": _("按电脑宽度预览"),
            },
        ]

    @property
    def preview_modes(self):
        return [("", _("页面")), ("share", _("微信分享卡片"))]

    def serve_preview(self, request, mode_name):
        if mode_name == "share":
            return render(request, "content/share_card_preview.html", self.share_card(request))
        return super().serve_preview(request, mode_name)

    def serve_routable_preview(self, request, mode_name):
        """For pages with ``RoutablePageMixin``, whose ``serve_preview`` comes first."""
        if mode_name == "share":
            return ShopAwarePage.serve_preview(self, request, mode_name)
        return RoutablePageMixin.serve_preview(self, request, mode_name)

    def share_card(self, request):
        """What a WeChat chat shows when this page's link is shared: title, text, JPEG, site."""
        image = self.share_image()
        rendition = image.get_rendition(SHARE_IMAGE_SPEC) if image else None
        return {
            "page": self,
            "title": self.share_title(),
            "description": self.share_description(),
            "image": rendition,
            "url": request.build_absolute_uri(self.url or "/"),
        }


class HomePage(ShopAwarePage):
    hero_title = models.CharField(_("大标题"), max_length=80, default="")
    hero_text = models.CharField(_("副标题"), max_length=200, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("首屏图片"),
        help_text=_("首页最上方的大图，分享到微信时也用这张图"),
    )
    intro = RichTextField(_("介绍"), blank=True)
    hero_title_en = models.CharField(_("英文大标题"), max_length=80, blank=True)
    hero_text_en = models.CharField(_("英文副标题"), max_length=200, blank=True)
    intro_en = RichTextField(_("英文介绍"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")],
            heading=_("首屏"),
        ),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("hero_title_en"), FieldPanel("hero_text_en"), FieldPanel("intro_en")],
            heading=_("英文页面（不填就显示中文）"),
        ),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content.StoryIndexPage",
        "content.NewsIndexPage",
        "content.StandardPage",
        "content.ImpactPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def share_image(self):
        return self.hero_image

    def hero(self):
        """The hero's title and text and the intro in the reader's language: the English
        fields under /en/ where the editor filled them, else the Chinese."""
        english = get_language() == "en"
        return {
            "title": (english and self.hero_title_en) or self.hero_title or self.title,
            "text": (english and self.hero_text_en) or self.hero_text,
            "intro": (english and self.intro_en) or self.intro,
        }

    def share_title(self):
        return self.hero()["title"]

    def share_description(self):
        return self.search_description or self.hero()["text"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["produce"] = page_context.fresh_this_week(limit=8)
        context["alliance"] = impact.alliance()
        context["headline"] = self.hero()
        context["stories"] = self.featured_stories(limit=4)
        context["story_index"] = StoryIndexPage.objects.live().first()
        context["impact_page"] = ImpactPage.objects.live().first()
        context["impact"] = impact.totals()
        context["next_runs"] = page_context.next_runs()
        return context

    def featured_stories(self, limit=4):
        """Stories an editor ticked for the home page first, then the newest."""
        return list(
            StoryPage.objects.live()
            .public()
            .select_related("cover_image")
            .order_by("-featured", "-date", "-pk")[:limit]
        )


class StoryIndexPage(RoutablePageMixin, ShopAwarePage):
    intro = RichTextField(_("介绍"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryPage"]
    per_page = 12

    def newest_stories(self):
        """The live, public stories under this index, newest first (the feeds read them)."""
        return (
            StoryPage.objects.child_of(self)
            .live()
            .public()
            .select_related("team", "village")
            .order_by("-date", "-pk")
        )

    class Meta:
        verbose_name = _("故事列表")

    def serve_preview(self, request, mode_name):
        return self.serve_routable_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        story_filter = page_context.StoryFilter(self, request.GET)
        paginator = Paginator(story_filter.stories(), self.per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        context["stories"] = page
        context["filter"] = story_filter
        return context

    @path("feed/rss/", name="rss")
    def rss_feed(self, request):
        return StoryFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        return AtomStoryFeed(self)(request)


class StoryPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.StoryPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(ShopAwarePage):
    """What a story and a news item share: a date, a summary, a cover picture and a body
    whose shop blocks (products, households) are fetched in one go for the page."""

    date = models.DateField(_("日期"), default=timezone.localdate)
    summary = models.CharField(_("摘要"), max_length=200)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("封面图"),
        help_text=_("列表和分享卡片上显示的图片，微信里显示为方形缩略图"),
    )
    body = StreamField(body_blocks(), verbose_name=_("正文"))

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
    ]
    subpage_types = []

    class Meta:
        abstract = True

    def shown_product_ids(self):
        """Products the page shows besides those in its body's blocks."""
        return []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            page_context.shop_objects_in(self.body, extra_product_ids=self.shown_product_ids())
        )
        return context


class StoryPage(RoutablePageMixin, ArticlePage):
    team = models.ForeignKey(
        "partner.Partner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        verbose_name=_("工作队"),
    )
    village = models.ForeignKey(
        "catalogue.Village",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        verbose_name=_("村庄"),
    )
    related_products = ParentalManyToManyField(
        "catalogue.Product", blank=True, related_name="stories", verbose_name=_("相关产品")
    )
    tags = ClusterTaggableManager(through=StoryPageTag, blank=True, verbose_name=_("标签"))
    featured = models.BooleanField(
        _("首页推荐"), default=False, help_text=_("勾选后优先显示在首页")
    )

    content_panels = ArticlePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("team"),
                FieldPanel("village"),
                FieldPanel("related_products"),
                FieldPanel("tags"),
                FieldPanel("featured"),
            ],
            heading=_("关联"),
        ),
    ]
    parent_page_types = ["content.StoryIndexPage"]

    class Meta:
        verbose_name = _("故事")
        verbose_name_plural = _("故事")

    def serve_preview(self, request, mode_name):
        return self.serve_routable_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related"] = [
            context["block_products"][pk]
            for pk in self.shown_product_ids()
            if pk in context["block_products"]
        ]
        return context

    def shown_product_ids(self):
        """The related products, shown under the story."""
        return [p.pk for p in self.related_products.all()]

    @path("poster/", name="poster")
    def poster(self, request):
        url = request.build_absolute_uri(self.get_url(request))
        return render(
            request,
            "content/poster.html",
            {
                "page": self,
                "title": self.title,
                "text": self.summary,
                "image": self.cover_image,
                "url": url,
                "qr": qr_svg(url),
            },
        )


class NewsIndexPage(ShopAwarePage):
    intro = RichTextField(_("介绍"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.NewsPage"]
    per_page = 20

    class Meta:
        verbose_name = _("新闻列表")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = (
            NewsPage.objects.child_of(self)
            .live()
            .public()
            .select_related("cover_image")
            .order_by("-date", "-pk")
        )
        paginator = Paginator(news, self.per_page)
        try:
            context["news"] = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            context["news"] = paginator.page(1)
        return context


class NewsPage(ArticlePage):
    parent_page_types = ["content.NewsIndexPage"]

    class Meta:
        verbose_name = _("新闻")
        verbose_name_plural = _("新闻")


class StandardPage(ShopAwarePage):
    """About us, how pickup works, FAQ: a title, a lead and a body."""

    intro = models.CharField(_("导语"), max_length=250, blank=True)
    body = StreamField(
        body_blocks()
        + [
            (
                "faq",
                blocks.ListBlock(
                    blocks.StructBlock(
                        [
                            ("question", blocks.CharBlock(label=_("问题"))),
                            ("answer", blocks.RichTextBlock(label=_("回答"))),
                        ],
                        label=_("问答"),
                    ),
                    label=_("常见问题"),
                    template="blocks/faq_block.html",
                    icon="help",
                ),
            )
        ],
        verbose_name=_("正文"),
        blank=True,
    )

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("普通页面")
        verbose_name_plural = _("普通页面")

    def share_description(self):
        return self.search_description or self.intro

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context.shop_objects_in(self.body))
        return context


class ImpactPage(RoutablePageMixin, ShopAwarePage):
    """Live figures for funders: by team, village and month, with charts and a CSV."""

    intro = RichTextField(_("介绍"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("帮扶成效")

    def serve_preview(self, request, mode_name):
        return self.serve_routable_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        year = impact.parse_year(request.GET.get("year"))
        context["year"] = year
        context["year_invalid"] = bool(request.GET.get("year")) and year is None
        context["report"] = impact.report(year)
        context["years"] = impact.years()
        context["institutions"] = impact.institutions(year)
        return context

    @path("csv/", name="csv")
    def csv(self, request):
        year = impact.parse_year(request.GET.get("year"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"impact-{year or 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        impact.write_csv(impact.report(year), response)
        return response


class TwoPersonReviewTask(GroupApprovalTask):
    """Group approval where the editor who asked for review cannot approve it.

    Wagtail's own group task lets a moderator approve their own submission;
    this one offers no actions to the requester, so every publish passed
    through a second pair of eyes.
    """

    class Meta:
        verbose_name = _("两人审核")
        verbose_name_plural = _("两人审核")

    def get_actions(self, obj, user):
        state = getattr(obj, "current_workflow_state", None)
        if state is not None and state.requested_by_id == user.pk:
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve" and task_state.workflow_state.requested_by_id == user.pk:
            raise PermissionDenied(_("不能审核自己提交的内容，请另一位编辑审核。"))
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    @classmethod
    def get_description(cls):
        return _("由工作组中另一位编辑审核通过后才能发布")


class ProductMention(models.Model):
    """A product a published story shows in its body, kept in step on publish.

    The body is JSON; this table lets a product page find its stories with one
    indexed query instead of scanning every story's blocks.
    """

    story = models.ForeignKey(StoryPage, on_delete=models.CASCADE, related_name="product_mentions")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="story_mentions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "product"], name="product_mention_unique")
        ]

    def __str__(self):
        return f"{self.story_id} → {self.product_id}"


class EditingSession(models.Model):
    """One opening of the admin's "add page" form, and the page it has created so far.

    The form carries ``editing_key``; the first post with it creates the page, every
    later post with it (an autosave, or a save clicked before the autosave's answer
    came back) edits that page instead of creating another (``content.editing``).
    """

    key = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.key} → {self.page_id}"
