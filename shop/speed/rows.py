"""Small rows every order looks up: payment source types, payment event types and the
shipping countries the address form offers.

Each order used to read them from the database (three queries per order); they are kept
in the shared cache instead. A row is cached only once its transaction has committed,
and saving or deleting any row of the model starts a new generation of keys, so no
server ever hands out a row that is gone.
"""

from django.db.models.signals import post_delete, post_save

from shop.speed import request_cache
from shop.speed.page_cache import bump_counter, counter

TIMEOUT = 60 * 60
_watched = []
_read_here = request_cache.LocalCopies()


def _generation_key(model):
    return f"rows:{model._meta.label_lower}:generation"


@request_cache.read_with_every_request
def _generation_keys():
    return [_generation_key(model) for model in _watched]


def _forget(sender, **_ignored):
    bump_counter(_generation_key(sender))


def _kept(model, kind, lookup, read):
    """``read()``'s result for this model and lookup, from this process or the shared cache
    when it can be (a generation's rows never change: ``request_cache.LocalCopies``)."""
    key = "rows:{}:{}:{}:{}".format(
        model._meta.label_lower,
        kind,
        counter(_generation_key(model)),
        ",".join(f"{k}={v}" for k, v in sorted(lookup.items())),
    )
    # Cached only once the transaction commits: a row made in it may yet roll back.
    return _read_here.get_or_read(key, read, TIMEOUT, after_commit=True)


def get_or_create(model, defaults=None, **lookup):
    """``model.objects.get_or_create(**lookup)[0]``, kept (see ``_kept``)."""
    return _kept(
        model, "one", lookup, lambda: model.objects.get_or_create(defaults=defaults, **lookup)[0]
    )


def filtered(model, **lookup):
    """``list(model.objects.filter(**lookup))``, kept (see ``_kept``)."""
    return _kept(model, "all", lookup, lambda: list(model.objects.filter(**lookup)))


def watch(*models):
    for model in models:
        _watched.append(model)
        uid = f"rows-{model._meta.label_lower}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_forget, sender=model, dispatch_uid=uid + "-delete")
