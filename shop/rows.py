"""Small rows every order looks up by name: payment source types and payment event types.

Each order used to read them from the database (two queries per order); they are kept
in the shared cache instead. A row is cached only once its transaction has committed,
and saving or deleting any row of the model starts a new generation of keys, so no
server ever hands out a row that is gone.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from shop.cache import bump_counter

TIMEOUT = 60 * 60


def _generation_key(model):
    return f"rows:{model._meta.label_lower}:generation"


def _forget(sender, **_ignored):
    bump_counter(_generation_key(sender))


def get_or_create(model, defaults=None, **lookup):
    """``model.objects.get_or_create(**lookup)[0]``, from the shared cache when it can be."""
    generation = cache.get(_generation_key(model)) or 0
    key = "rows:{}:{}:{}".format(
        model._meta.label_lower, generation, ",".join(f"{k}={v}" for k, v in sorted(lookup.items()))
    )
    row = cache.get(key)
    if row is None:
        row, _created = model.objects.get_or_create(defaults=defaults, **lookup)
        transaction.on_commit(lambda: cache.set(key, row, TIMEOUT))
    return row


def watch(*models):
    for model in models:
        uid = f"rows-{model._meta.label_lower}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_forget, sender=model, dispatch_uid=uid + "-delete")
