"""The shop's catalogue: Oscar's products plus where the food comes from.

A product comes from an origin village and is supplied by one or more
households. Households carry private fields (real name, phone) that only their
work team may see; public pages use ``public_name`` and respect the consent
flags.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker
from oscar.apps.catalogue.abstract_models import (
    AbstractCategory,
    AbstractProduct,
    MissingProductImage,
)
from oscar.core.utils import slugify


class Village(models.Model):
    name = models.CharField(_("村名"), max_length=64)
    slug = models.SlugField(_("网址名"), max_length=80, unique=True, allow_unicode=True)
    township = models.CharField(_("乡镇"), max_length=64, blank=True)
    county = models.CharField(_("县"), max_length=64, blank=True)
    province = models.CharField(_("省"), max_length=64, blank=True)
    description = models.TextField(_("简介"), blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    teams = models.ManyToManyField(
        "partner.Partner", related_name="villages", blank=True, verbose_name=_("工作队")
    )

    class Meta:
        verbose_name = _("村庄")
        verbose_name_plural = _("村庄")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):

        return reverse("origin:village", kwargs={"slug": self.slug})

    @property
    def full_place(self):
        return "".join(p for p in (self.province, self.county, self.township, self.name) if p)


class Household(models.Model):
    class Status(models.TextChoices):
        MONITORED = "monitored", _("监测户")
        FORMERLY_POOR = "formerly_poor", _("脱贫户")
        OTHER = "other", _("一般农户")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("村庄")
    )
    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("工作队"),
    )
    public_name = models.CharField(
        _("公开称呼"), max_length=32, help_text=_("农户同意公开的称呼，如“王大姐家”")
    )
    real_name = models.CharField(_("户主姓名（不公开）"), max_length=32)
    phone = models.CharField(_("联系电话（不公开）"), max_length=20, blank=True)
    status = models.CharField(
        _("帮扶类别"), max_length=16, choices=Status.choices, default=Status.OTHER
    )
    consent_name = models.BooleanField(_("同意公开称呼"), default=False)
    consent_photo = models.BooleanField(_("同意公开照片"), default=False)
    photo = models.ImageField(_("照片"), upload_to="households/", blank=True)
    produces = models.CharField(_("主要产品"), max_length=200, blank=True)
    story = models.TextField(_("公开介绍"), blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["village__name", "public_name"]

    def __str__(self):
        return f"{self.public_name}（{self.village}）"

    @property
    def priority(self):
        """Sharing-rule priority: monitored first, then formerly poor, then others."""
        return {"monitored": 0, "formerly_poor": 1}.get(self.status, 2)

    @property
    def shown_name(self):
        """What a public page may print: the agreed name, or an anonymous label."""
        if self.consent_name:
            return self.public_name
        return _("%(village)s的一户农户") % {"village": self.village.name}


class Product(AbstractProduct):
    class Unit(models.TextChoices):
        JIN = "jin", _("斤")
        MEI = "mei", _("枚")
        GE = "ge", _("个")
        ZHI = "zhi", _("只")
        XIANG = "xiang", _("箱")
        FEN = "fen", _("份")
        KG = "kg", _("公斤")

    # What the running impact and report figures count a line by (``shop.figures``), kept
    # as loaded so a save can tell whether it changed without asking the database.
    COUNTED_FIELDS = ("origin_village_id", "weight_per_unit_g")
    # What a save changed of those, for the running figures (shop.figures.receivers).
    tracker = FieldTracker(fields=COUNTED_FIELDS)

    unit = models.CharField(_("销售单位"), max_length=8, choices=Unit.choices, default=Unit.JIN)
    order_step = models.PositiveSmallIntegerField(
        _("起购/递增数量"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("顾客只能按此数量的倍数下单，如鸡蛋 10 枚起"),
    )
    origin_village = models.ForeignKey(
        Village,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("产地村"),
    )
    households = models.ManyToManyField(
        Household, blank=True, related_name="products", verbose_name=_("供货农户")
    )
    season_note = models.CharField(_("时令/供应说明"), max_length=200, blank=True)
    storage_advice = models.CharField(_("储存建议"), max_length=200, blank=True)
    weight_per_unit_g = models.PositiveIntegerField(_("每单位重量（克）"), null=True, blank=True)
    # Priced by weight (``catalogue.units.by_weight``): sold per piece (a bird, 只) at
    # an estimate, settled by the real weight the team records (``shop.order.weighing``).
    price_per_jin = models.DecimalField(
        _("按重量计价：每斤价格"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("按只卖、按实重结算的商品（如散养土鸡）填写；不按重量计价就留空"),
    )
    estimated_jin = models.DecimalField(
        _("每件约重（斤）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("下单时按这个估重收款，称重后多退少补"),
    )
    # The figures the catalogue sorts by, stored so a sort is an index scan that stops
    # after a page. ``units_handed_over``: units of the product handed over to buyers, net
    # of cuts and refunds, as the running figures count them (``shop.figures.running``
    # keeps it in the transaction of each order event; ``rebuild_figures --check``
    # compares it). ``lowest_price``: its cheapest stock record's price
    # (``catalogue.sort_figures`` keeps it whenever a stock record is saved or deleted).
    units_handed_over = models.BigIntegerField(_("已交付数量"), default=0, editable=False)
    lowest_price = models.DecimalField(
        _("最低价"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    search_words_en = models.CharField(
        _("英文搜索词"),
        max_length=200,
        blank=True,
        help_text=_("英文页面的买家搜这些词也能找到，如 egg eggs free-range"),
    )

    class Meta(AbstractProduct.Meta):
        indexes = [
            # The catalogue's default listing: public products, newest first.
            models.Index(fields=["is_public", "-date_created"], name="product_public_newest"),
            # "Most popular" and the two price sorts (a price sort from high to low walks
            # the same index backwards).
            models.Index(
                fields=["is_public", "-units_handed_over", "-date_created", "-id"],
                name="product_public_popular",
            ),
            models.Index(fields=["is_public", "lowest_price", "id"], name="product_public_price"),
        ]

    # Written only by ``catalogue.sort_figures`` and ``shop.figures.running``, each with its
    # own UPDATE in the event's transaction: a save of a product loaded earlier (a form, a
    # sheet row) must not write back the figure it loaded over a newer one.
    STORED_FIGURES = ("units_handed_over", "lowest_price")

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            if kwargs.get("update_fields") is None:
                kwargs["update_fields"] = [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name not in self.STORED_FIGURES
                ]
            else:
                kept = [f for f in kwargs["update_fields"] if f not in self.STORED_FIGURES]
                kwargs["update_fields"] = kept
        super().save(*args, **kwargs)

    @property
    def weight_per_unit_kg(self):
        if self.weight_per_unit_g:
            return Decimal(self.weight_per_unit_g) / 1000
        return None

    def get_missing_image(self):
        # Oscar's own links its placeholder into MEDIA_ROOT on every call, i.e. onto each app
        # server's disk; the thumbnailer reads it from static instead (shop.speed.thumbnails).
        return MissingPhoto()


class MissingPhoto(MissingProductImage):
    """Oscar's placeholder, by name only: nothing is linked or copied into media."""

    def __init__(self, name=None):
        self.name = name or settings.OSCAR_MISSING_IMAGE_URL


class Category(AbstractCategory):
    name_en = models.CharField(
        _("英文名称"),
        max_length=255,
        blank=True,
        help_text=_("英文页面上显示的分类名，如 Eggs；不填就显示中文名"),
    )
    search_words_en = models.CharField(
        _("英文搜索词"),
        max_length=200,
        blank=True,
        help_text=_("这一类产品的英文叫法，如 eggs；类里的产品都能用它搜到"),
    )

    @property
    def shown_name(self):
        """The name in the reader's language: ``name_en`` under /en/ when there is one."""
        if self.name_en and get_language() == "en":
            return self.name_en
        return self.name


from oscar.apps.catalogue.models import *  # noqa: E402,F401,F403
