"""The speed code: caches and query shortcuts, used through the names below only.

What each part saves, measured, is in README.md beside this file. Callers import from
``shop.speed`` (``from shop.speed import frames, page_cache, rows``); the modules inside
are this package's own business. Settings name ``shop.speed.thumbnails`` by its path.
"""

from shop.speed import frames, page_cache, request_cache, rows
from shop.speed.catalogs import flatten_active
from shop.speed.joined import Joined
from shop.speed.page_cache import bump_counter, counter
from shop.speed.prefetched import as_loaded, keep_as_prefetched

__all__ = [
    "Joined",
    "as_loaded",
    "bump_counter",
    "counter",
    "flatten_active",
    "frames",
    "keep_as_prefetched",
    "page_cache",
    "request_cache",
    "rows",
]
