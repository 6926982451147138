"""Querysets that hold objects the code already has, the way ``prefetch_related`` leaves them."""


def as_loaded(queryset, objects):
    """``queryset`` holding ``objects`` as if it had been evaluated: iterating, counting or
    indexing it runs no query; filtering it further still asks the database."""
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    return queryset
