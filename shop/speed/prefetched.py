"""Querysets that hold objects the code already has, the way ``prefetch_related`` leaves them."""


def as_loaded(queryset, objects):
    """``queryset`` holding ``objects`` as if it had been evaluated: iterating, counting or
    indexing it runs no query; filtering it further still asks the database."""
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    return queryset


def keep_as_prefetched(instance, relation, objects):
    """Make ``instance.<relation>.all()`` hold ``objects``, as ``prefetch_related`` would
    have left it."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation] = as_loaded(getattr(instance, relation).all(), objects)
