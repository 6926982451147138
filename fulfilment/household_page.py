"""A household's own page, opened by a private link the team hands over (no password).

The token in ``/h/<token>/`` is the only key, so it is long and random
(``HouseholdLink``), the page is never cached or indexed, and the team can revoke it and
hand over a new one at any time; a revoked or unknown token is a 404. The figures come
from ``fulfilment.payouts.for_household`` (the team's payout rules), the promises from
``SupplyCommitment``: nothing of another household, nothing of a buyer.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from catalogue.models import Household
from fulfilment.models import DeliveryRun, HouseholdLink, SupplyCommitment
from shop.core.links import absolute

COMING = (
    DeliveryRun.Status.OPEN,
    DeliveryRun.Status.CLOSED,
    DeliveryRun.Status.COLLECTING,
)


def live_link(household, actor=None):
    """The household's link, made on first use."""
    link = household.page_links.filter(revoked_at__isnull=True).first()
    if link is None:
        link = renew(household, actor)
    return link


def renew(household, actor=None):
    """Revoke the household's link (if any) and make a new one."""
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        household.page_links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        return HouseholdLink.objects.create(
            household=household,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )


def household_for(token):
    """The household whose live link has ``token``, or None."""
    link = (
        HouseholdLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("household__village")
        .first()
    )
    return link.household if link else None


def path_for(household, language=None):
    with translation.override(language or translation.get_language()):
        return reverse("household-page", kwargs={"token": live_link(household).token})


def url_for(household, language=None):
    """The household's page, absolute (for the text message and the QR code)."""
    return absolute(path_for(household, language))


def promises(household):
    """What the household promised for the runs still to come, soonest first."""
    return list(
        SupplyCommitment.objects.filter(household=household, quantity__gt=0, run__status__in=COMING)
        .select_related("run", "product")
        .order_by("run__date", "run_id", "product_id")
    )
