import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_token():
    return secrets.token_urlsafe(18)


class WaitingBuyer(models.Model):
    """A buyer waiting for a sold-out product: told once, first come first told, when
    stock appears again (``shop.waitlist.wake``). ``run`` is the team's next run the
    buyer could not get it on (none when no run was taking orders): the team sees how many
    wait per product and run beside the run's supply commitments."""

    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="waiting_buyers"
    )
    run = models.ForeignKey(
        "fulfilment.DeliveryRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waiting_buyers",
    )
    email = models.EmailField(_("邮箱"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(max_length=10, default="zh-hans")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created = models.DateTimeField(auto_now_add=True)
    told_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("到货通知登记")
        verbose_name_plural = _("到货通知登记")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "email"],
                condition=Q(told_at__isnull=True, cancelled_at__isnull=True),
                name="waitlist_one_open_wait_per_email",
            )
        ]
        indexes = [models.Index(fields=["product", "told_at", "cancelled_at", "created"])]

    def __str__(self):
        return f"{self.product_id} ← {self.email}"

    @property
    def is_waiting(self):
        return self.told_at is None and self.cancelled_at is None
