"""Money follows the delivery side: a refund owed after a shortfall or a cancelled run is
paid back through Stripe as soon as the change is committed (when Stripe is switched on;
otherwise the team settles it from the refund page)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.payment import stripe_gateway, tasks


@receiver(post_save, sender="fulfilment.RefundOwed", dispatch_uid="payment.pay_back_owed")
def pay_back_owed_refund(sender, instance, created, **kwargs):

    if created and stripe_gateway.enabled():
        transaction.on_commit(lambda: tasks.settle_refunds_owed.delay([instance.pk]))
