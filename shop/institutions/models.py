"""An institution buyer, the orders placed under it and the monthly statements it paid.

Which orders belong to an institution is recorded once (``InstitutionOrder``); their money
is always read from ``shop.order.money`` (``shop.institutions.statements`` and
``shop.institutions.figures``), never kept here.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# 统一社会信用代码: 18 characters, digits and capitals without I, O, Z, S, V.
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PHONE_RE = re.compile(r"^[0-9+\-() ]{7,20}$")


def normalise_tax_number(raw):
    return re.sub(r"[\s\-]", "", str(raw or "")).upper()


def validate_tax_number(value):
    if not CREDIT_CODE_RE.match(normalise_tax_number(value)):
        raise ValidationError(
            _("税号应为 18 位统一社会信用代码（数字和大写字母），例如 12410000MB0123456X。"),
            code="tax_number",
        )


def validate_invoice_phone(value):
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _("开票电话只能有数字、空格和“-”，例如 0371-12345678。"), code="phone"
        )


class Institution(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("医院")
        AGENCY = "agency", _("机关单位")
        UNION = "union", _("工会")
        CANTEEN = "canteen", _("食堂")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.UNION)
    tax_number = models.CharField(
        _("税号（统一社会信用代码）"), max_length=18, unique=True, validators=[validate_tax_number]
    )
    invoice_title = models.CharField(_("开票抬头"), max_length=100)
    invoice_bank = models.CharField(_("开户银行"), max_length=100, blank=True)
    invoice_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    invoice_address = models.CharField(_("开票地址"), max_length=200, blank=True)
    invoice_phone = models.CharField(
        _("开票电话"), max_length=20, blank=True, validators=[validate_invoice_phone]
    )
    yearly_target = models.DecimalField(
        _("年度帮扶目标（元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"), message=_("目标不能是负数。"))],
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="institutions",
        blank=True,
        verbose_name=_("联系人和成员"),
        help_text=_("能以单位名义下单、看单位订单和对账单的账户"),
    )
    drop_off = models.OneToOneField(
        "fulfilment.PickupPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="institution",
        verbose_name=_("单位专用送货点"),
        help_text=_("如食堂门口：只有本单位成员下单时能选"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位客户")
        verbose_name_plural = _("单位客户")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.tax_number = normalise_tax_number(self.tax_number)


class InstitutionOrder(models.Model):
    """An order placed under an institution (by a member, or its buyer's bulk order)."""

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="institution_link"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="order_links"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("单位订单")
        verbose_name_plural = _("单位订单")

    def __str__(self):
        return f"{self.institution} · {self.order_id}"


class StatementPayment(models.Model):
    """A monthly statement the institution paid by bank transfer, with its reference."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="statement_payments"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    reference = models.CharField(_("转账流水号"), max_length=64)
    amount = models.DecimalField(_("到账金额"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("月结到账")
        verbose_name_plural = _("月结到账")
        ordering = ["-month", "pk"]

    def __str__(self):
        return f"{self.institution} {self.month:%Y-%m} {self.reference}"
