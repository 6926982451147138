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

from shop.speed import request_cache

# Without a shared cache (one process per developer) a new offer or option shows in the
# other processes within this time; with Redis it shows at once.
ANSWER_SECONDS = 60
FEATURES = {
    "offers": ("offer", "ConditionalOffer"),
    "options": ("catalogue", "Option"),
    "vouchers": ("voucher", "Voucher"),
}


def _key(feature):
    return f"basket:{feature}-exist"


@request_cache.read_with_every_request
def _keys():
    return [_key(name) for name in FEATURES]


def _exists(feature):
    """One cache read per request for all the answers (``shop.speed.request_cache``), however
    often the basket, its forms and the checkout ask."""
    stored = request_cache.get_many(_keys())
    found = {}
    for name, model_name in FEATURES.items():
        exist = stored.get(_key(name))
        if exist is None:
            exist = get_model(*model_name).objects.exists()
            request_cache.set(_key(name), exist, ANSWER_SECONDS)
        found[name] = exist
    return found[feature]


def offers_exist():
    return _exists("offers")


def options_exist():
    return _exists("options")


def vouchers_exist():
    return _exists("vouchers")


def connect():
    """Forget an answer when a row of its model is saved or deleted."""

    def forget(sender=None, **kwargs):
        cache.delete_many(_keys())
        for key in _keys():
            request_cache.forget(key)

    for feature, model_name in FEATURES.items():
        model = get_model(*model_name)
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"basket.{feature}-save")
        post_delete.connect(
            forget, sender=model, weak=False, dispatch_uid=f"basket.{feature}-delete"
        )
