"""Oscar features this shop does not use (offers, vouchers, product options), skipped
cheaply while no row of them exists.

Oscar applies offers to the basket on every request that touches it (the basket
middleware, the basket page's upsell messages, the messages after an add), each time
with a query for site offers and one for the basket's vouchers; and the add-to-basket
form asks twice whether the product has options. The shop sells at the teams' prices
with no offers and no options, so ``offers_exist`` and ``options_exist`` answer from
the cache (one cache read) and Oscar's work is skipped until someone creates an offer
or an option in the dashboard; saving or deleting one forgets the answer, and from
then on Oscar's full behaviour applies. Vouchers only act through offers, so they are
covered by ``offers_exist``; ``vouchers_exist`` lets order placement skip Oscar's two
voucher queries.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model

# Without a shared cache (one process per developer) a new offer or option shows in the
# other processes within this time; with Redis it shows at once.
ANSWER_SECONDS = 60
FEATURES = {
    "offers": ("offer", "ConditionalOffer"),
    "options": ("catalogue", "Option"),
    "vouchers": ("voucher", "Voucher"),
}


def _exists(feature):
    key = f"basket:{feature}-exist"
    exist = cache.get(key)
    if exist is None:
        exist = get_model(*FEATURES[feature]).objects.exists()
        cache.set(key, exist, ANSWER_SECONDS)
    return exist


def offers_exist():
    return _exists("offers")


def options_exist():
    return _exists("options")


def vouchers_exist():
    return _exists("vouchers")


def connect():
    """Forget an answer when a row of its model is saved or deleted."""
    for feature, model_name in FEATURES.items():
        def forget(sender=None, key=f"basket:{feature}-exist", **kwargs):
            cache.delete(key)

        model = get_model(*model_name)
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"basket.{feature}-save")
        post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"basket.{feature}-delete")

