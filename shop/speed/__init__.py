"""The speed code: caches and query shortcuts, used through the names below only.

What each part saves, measured, is in README.md beside this file. Callers import from
``shop.speed`` (``from shop.speed import page_cache, rows``); the modules inside
are this package's own business. Settings name ``shop.speed.thumbnails`` by its path.
"""

import importlib

_WHERE = {
    "page_cache": None,
    "request_cache": None,
    "rows": None,
    "bump_counter": "page_cache",
    "counter": "page_cache",
    "as_loaded": "prefetched",
    "keep_as_prefetched": "prefetched",
    "flatten_active": "catalogs",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    # Loaded on first use: models import some of these while the app registry fills.
    if name not in _WHERE:
        raise AttributeError(f"module 'shop.speed' has no attribute {name!r}")
    module = _WHERE[name]
    if module is None:
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
