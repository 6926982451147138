"""What households give: packing sizes, promises per run, the sold units credited to
them at cut-off, what they failed to bring, and the private link to their own page.
The processes live in ``fulfilment.supply``, ``fulfilment.shortfalls`` and
``fulfilment.household_page``."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulfilment.models.runs import DeliveryRun


class CratePacking(models.Model):
    """How many units of a product fill one egg crate or bird cage; products without a
    row need none. A run's crate count is, per product, the sold quantity divided by this,
    rounded up."""

    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, related_name="crate_packing"
    )
    units_per_crate = models.PositiveIntegerField(
        _("每箱/笼数量"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("装箱规格")
        verbose_name_plural = _("装箱规格")

    def __str__(self):
        return f"{self.product_id}: {self.units_per_crate}"


class SupplyCommitment(models.Model):
    """ "王家: 60 eggs for Saturday": what a household promises for a run."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="commitments")
    household = models.ForeignKey(
        "catalogue.Household",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("农户"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("产品"),
    )
    quantity = models.PositiveIntegerField(_("数量"))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("供货承诺")
        verbose_name_plural = _("供货承诺")
        ordering = ["household_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "household", "product"], name="commitment_unique_per_run"
            )
        ]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: {self.quantity}"


class Allocation(models.Model):
    """The sold units of a product credited to one household at a run's cut-off."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="allocations")
    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.PROTECT, related_name="allocations"
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    collected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["household_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "household", "product"], name="allocation_unique_per_run"
            )
        ]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: {self.quantity}"


class Shortfall(models.Model):
    """A household supplied fewer units than it was allocated for a run."""

    run = models.ForeignKey(DeliveryRun, on_delete=models.CASCADE, related_name="shortfalls")
    household = models.ForeignKey(
        "catalogue.Household",
        on_delete=models.PROTECT,
        related_name="shortfalls",
        verbose_name=_("农户"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="shortfalls",
        verbose_name=_("产品"),
    )
    quantity = models.PositiveIntegerField(_("少交数量"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"{self.household_id}×{self.product_id}: -{self.quantity}"


class LineCut(models.Model):
    """How many units of one order line a shortfall took away."""

    shortfall = models.ForeignKey(Shortfall, on_delete=models.CASCADE, related_name="cuts")
    line = models.ForeignKey("order.Line", on_delete=models.CASCADE, related_name="cuts")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self):
        return f"line {self.line_id}: -{self.quantity}"


def new_household_token():
    return secrets.token_urlsafe(16)


class HouseholdLink(models.Model):
    """The private link a team hands a household for its own page (``/h/<token>/``): no
    password, so the token is the key. Revoking it stops it at once; a new one is made."""

    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.CASCADE, related_name="page_links"
    )
    token = models.CharField(max_length=32, unique=True, default=new_household_token)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_household_link",
            )
        ]

    def __str__(self):
        return f"{self.household_id}: {'revoked' if self.revoked_at else 'live'}"
