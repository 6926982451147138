"""What each part of the speed code (shop/speed/) saves on the page it serves.

Each part is switched off and on in turn, in the same process, on the page it was written
for; every run also times the bare view (/bench/bare/), and each figure is given as a
fraction of it (bare ms / page ms: 100 % would be as fast as Django's smallest response).
The saving is (off - on) / off of the page's time. Median and range over ``--runs`` runs
(at least 3), each run ``--requests`` requests per page and state, on and off interleaved.

The database is whatever DATABASE_URL names, filled by bench/dataset.py (a small set
serves: these pages read a page of products, a basket, a product); the cache is REDIS_URL
when set, as in production. Switching a part off is done here, by replacing what the part
does with what the code did before it (read again, compile again, ask again): the shop's
own code has no switches.

    DATABASE_URL=postgres://.../db REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/speed_parts_bench.py [--runs 3] [--requests 30]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
os.environ["BENCH_MODE"] = "1"


def log(message=""):
    print(message, flush=True)


# --- the switches: each returns a function that turns the part off, and one back on ------


def switch_page_cache():
    from django.conf import settings

    def off():
        settings.PAGE_CACHE_ENABLED = False

    def on():
        settings.PAGE_CACHE_ENABLED = True

    return off, on


def switch_request_cache():
    from shop.speed import request_cache

    kept = request_cache.for_request

    def off():
        request_cache.for_request = contextlib.nullcontext  # every read its own round trip

    def on():
        request_cache.for_request = kept

    return off, on


def switch_prefetched():
    from shop.speed import prefetched

    kept = (prefetched.as_loaded.__code__, prefetched.keep_as_prefetched.__code__)

    def as_loaded(queryset, objects):
        return queryset  # read again when used

    def keep_as_prefetched(instance, relation, objects):
        return None

    def off():
        prefetched.as_loaded.__code__ = as_loaded.__code__
        prefetched.keep_as_prefetched.__code__ = keep_as_prefetched.__code__

    def on():
        prefetched.as_loaded.__code__, prefetched.keep_as_prefetched.__code__ = kept

    return off, on


def switch_rows():
    from shop.speed import rows

    kept = rows._kept.__code__

    def _kept(model, kind, lookup, read):
        return read()

    def off():
        rows._kept.__code__ = _kept.__code__

    def on():
        rows._kept.__code__ = kept

    return off, on


def switch_joined():
    from oscar.core.loading import get_model

    from shop.basket import models as basket_models

    kept = basket_models._lines_of_basket

    def compiled_each_time(basket):
        return list(
            get_model("basket", "Line")
            .objects.using("default")
            .filter(basket_id=basket)
            .select_related(*basket_models._LINE_JOINS)
            .order_by("pk")
        )

    def off():
        basket_models._lines_of_basket = compiled_each_time

    def on():
        basket_models._lines_of_basket = kept

    return off, on


def switch_catalogs():
    from django.utils.translation import trans_real

    from shop.speed import catalogs

    kept = catalogs.flatten_active.__code__

    def flatten_active():
        return None

    def fresh_translations():
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active.value = None

    def off():
        catalogs.flatten_active.__code__ = flatten_active.__code__
        fresh_translations()

    def on():
        catalogs.flatten_active.__code__ = kept
        fresh_translations()

    return off, on


def switch_thumbnails():
    from shop.speed.thumbnails import KeptThumbnails

    kept = KeptThumbnails._kept

    class Forgets:
        def get(self, key):
            return None

        def put(self, key, value, seconds):
            return None

        def clear(self):
            return None

    def off():
        KeptThumbnails._kept = Forgets()

    def on():
        KeptThumbnails._kept = kept

    return off, on


# --- who asks ----------------------------------------------------------------------------


def guest(client_class):
    return client_class(HTTP_HOST="127.0.0.1")


def guest_with_basket(client_class, product):
    from django.urls import reverse

    client = guest(client_class)
    step = getattr(product, "order_step", None) or 1  # one step of the product's unit
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": step})
    assert response.status_code == 302, response.status_code
    return client


def guest_at_checkout(client_class, product):
    from django.urls import reverse

    client = guest_with_basket(client_class, product)
    client.post(reverse("checkout:index"), {"username": "guest@example.cn", "options": "anonymous"})
    return client


def timed(client, url, repeats):
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def parts():
    """(part, page it serves, who asks, switch)."""
    from django.urls import reverse

    from catalogue.models import Category, Product

    product = (
        Product.objects.filter(is_public=True, stockrecords__num_in_stock__gt=100)
        .order_by("pk")
        .first()
    )
    category = Category.objects.filter(is_public=True).first()
    catalogue = reverse("catalogue:index")
    basket = reverse("basket:summary")
    return [
        ("page_cache", "catalogue, guest", catalogue, guest, switch_page_cache),
        (
            "page_cache",
            "product, guest with basket",
            product.get_absolute_url(),
            lambda c: guest_with_basket(c, product),
            switch_page_cache,
        ),
        ("page_cache", "category, guest", category.get_absolute_url(), guest, switch_page_cache),
        (
            "request_cache",
            "basket",
            basket,
            lambda c: guest_with_basket(c, product),
            switch_request_cache,
        ),
        (
            "prefetched",
            "basket",
            basket,
            lambda c: guest_with_basket(c, product),
            switch_prefetched,
        ),
        (
            "rows",
            "checkout: who collects",
            reverse("checkout:shipping-address"),
            lambda c: guest_at_checkout(c, product),
            switch_rows,
        ),
        (
            "joined",
            "basket",
            basket,
            lambda c: guest_with_basket(c, product),
            switch_joined,
        ),
        (
            "joined",
            "checkout: confirm",
            reverse("checkout:confirm"),
            lambda c: guest_with_basket(c, product),
            switch_joined,
        ),
        (
            "catalogs",
            "basket",
            basket,
            lambda c: guest_with_basket(c, product),
            switch_catalogs,
        ),
        (
            "thumbnails",
            "basket",
            basket,
            lambda c: guest_with_basket(c, product),
            switch_thumbnails,
        ),
    ]


def measure(runs, requests, only=()):
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False
    settings.PAGE_CACHE_ENABLED = True
    bare = guest(Client)
    rows = []
    for part, page, url, who, switch in parts():
        if only and part not in only:
            continue
        try:
            rows.append(measure_part(part, page, url, who, switch, bare, runs, requests))
        except AssertionError as problem:  # a page that does not answer 200 as asked
            log(f"{part:<14}{page:<28} not measured: {problem}")
    return rows


def measure_part(part, page, url, who, switch, bare, runs, requests):
    from django.core.cache import cache
    from django.test import Client

    off, on = switch()
    client = who(Client)
    fractions = {"on": [], "off": []}
    savings = []
    for _ in range(runs):
        cache.clear()
        times = {}
        for state, flip in (("off", off), ("on", on), ("off", off), ("on", on)):
            flip()
            # Warm: this state's caches filled, templates loaded, and the page stored by an
            # anonymous visit, as the guests of a shared link do before the first basket.
            guest(Client).get(url)
            timed(client, url, 2)
            bare_ms = timed(bare, "/bench/bare/", requests)
            page_ms = timed(client, url, requests)
            times.setdefault(state, []).append((page_ms, bare_ms))
        on()
        on_ms = statistics.mean(t for t, _ in times["on"])
        off_ms = statistics.mean(t for t, _ in times["off"])
        bare_ms = statistics.mean(b for _, b in times["on"] + times["off"])
        fractions["on"].append(bare_ms / on_ms)
        fractions["off"].append(bare_ms / off_ms)
        savings.append((off_ms - on_ms) / off_ms)
    log(line(part, page, fractions, savings))
    return part, page, fractions, savings


def pct(values):
    return f"{statistics.median(values):6.1%} ({min(values):.1%}–{max(values):.1%})"


def line(part, page, fractions, savings):
    return (
        f"{part:<14}{page:<28} on {pct(fractions['on'])}  off {pct(fractions['off'])}"
        f"  saves {pct(savings)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--parts", nargs="*", default=(), help="only these parts")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    log(
        f"database: {connection.vendor}; cache: {os.environ.get('REDIS_URL') or 'local memory'};"
        f" {args.runs} runs x {args.requests} requests per page and state, in-process"
    )
    log("figures: page as a fraction of the bare view in the same run, median (range)")
    measure(max(3, args.runs), args.requests, set(args.parts))


if __name__ == "__main__":
    main()
