"""Benchmark of the catalogue and site search at regional-platform size.

Fills a separate database (a fresh SQLite file under /tmp, or ``DATABASE_URL``
when set: point it at a throwaway PostgreSQL database) with bench/dataset.py's data
set (the demo alliance plus 10,000 products, 200,000 order lines in 20,000 orders and
50 stories; running figures and search index rebuilt), then times catalogue and search
pages through Django's test client and prints the median and p95 per page kind. Never
fails on speed.

    .venv/bin/python bench/catalogue_bench.py [--products 10000] [--lines 200000] [--requests 40]
    DATABASE_URL=... .venv/bin/python bench/catalogue_bench.py --measure-only   # a filled DB
        (bench/dataset.py fills one); --runs N repeats the search-miss measurement;
        --pages also times home, the catalogue's sorts, a category and a product page

The search-miss figures (queries that find nothing, page cache off) are given per run as
p50/p95, then as the median and range over the runs, and as a fraction of Django's bare
view (``/bench/bare/``) timed in the same run: bare p50 / miss p50.

Takes about 4–8 minutes on a 2-core machine with SQLite (migrations are most of it).
Figures are printed with the shop's page cache off (every request renders) and on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORK_DIR = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
os.environ.setdefault("DATA_DIR", str(WORK_DIR))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
os.environ.setdefault("BENCH_MODE", "1")  # the bare view the misses are measured against

import dataset  # noqa: E402 (bench/dataset.py, after the environment it reads)

SEARCHES = [
    "土鸡蛋",
    "鸡蛋",
    "向阳村",
    "小米",
    "jidan",
    "xiaomi",
    "农家南瓜",
    "蜂蜜",
    "石门村土鸭蛋",
    "不存在的东西",
]
# Queries that find nothing in the bench data (checked before timing): Chinese, pinyin-like
# and English-like, so both the exact and the prefix paths of the index are timed.
MISSES = ["火星", "外星人", "潜水艇", "zzqx", "qwerty", "xkcdv"]


def log(message):
    print(message, flush=True)


def fill(products, lines, stories=50):
    """Migrate, then bench/dataset.py's data set (the one data set every bench uses)."""
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - started:.0f} s")
    dataset.build(products, lines, stories, log=log)


def timed(client, url, repeats):
    client.get(url)  # warm-up: jieba dictionary, template loading, per-process caches
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def p95_of(samples):
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def report(name, samples):
    p95 = p95_of(samples)
    log(
        f"{name:<28} n={len(samples):<4} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms"
    )


def measure(requests):
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from catalogue.models import Category, Village

    settings.DEBUG = False
    client = Client(HTTP_HOST="127.0.0.1")
    catalogue = reverse("catalogue:index")
    category = Category.objects.first()
    village = Village.objects.first()
    pages = {
        "catalogue newest": [catalogue],
        "catalogue popular": [catalogue + "?sort=popular"],
        "catalogue price, in stock": [catalogue + "?sort=price_asc&in_stock=1"],
        "catalogue page 50": [catalogue + "?page=50"],
        "category": [category.get_absolute_url()],
        "village page": [village.get_absolute_url()],
        "search (10 queries)": [reverse("site-search") + f"?q={q}" for q in SEARCHES],
        "search page 3": [reverse("site-search") + "?q=鸡蛋&page=3"],
    }
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    for cached in (False, True):
        if not hasattr(settings, "PAGE_CACHE_ENABLED") and cached:
            break
        settings.PAGE_CACHE_ENABLED = (
            cached  # shop/speed/page_cache.py's whole-page cache for anonymous buyers
        )
        cache.clear()
        log("")
        log(
            f"database: {engine}; Django test client; page cache {'on (hits)' if cached else 'off (full render)'}"
        )
        for name, urls in pages.items():
            samples = []
            for url in urls:
                samples += timed(client, url, max(3, requests // len(urls)))
            report(name, samples)


def against_bare(pages, runs, requests, cpu=False):
    """Each page of ``pages`` ({name: [url, ...]}) timed with the page cache off, ``runs``
    times, beside the bare view timed in the same run: per run and page its p50 and p95,
    and bare p50 / page p50; then the median and range of each over the runs."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    settings.DEBUG = False
    settings.PAGE_CACHE_ENABLED = False
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for run in range(1, runs + 1):
        cache.clear()
        bare = statistics.median(timed(client, "/bench/bare/", requests))
        figures.setdefault(("bare", "p50"), []).append(bare)
        shown = [f"run {run}: bare p50 {bare:.2f} ms"]
        for name, urls in pages.items():
            per_url = max(3, requests // len(urls))
            samples = []
            cpu_started = time.process_time()
            for url in urls:
                samples += timed(client, url, per_url)
            row = {"p50": statistics.median(samples), "p95": p95_of(samples)}
            if cpu:  # this process's CPU per request (warm-ups included); the database's apart
                row["CPU"] = (time.process_time() - cpu_started) * 1000 / (len(samples) + len(urls))
            row["bare/page"] = bare / row["p50"]
            for key, value in row.items():
                figures.setdefault((name, key), []).append(value)
            shown.append(
                f"{name} n={len(samples)} p50 {row['p50']:.1f} ms p95 {row['p95']:.1f} ms "
                + (f"CPU {row['CPU']:.1f} ms " if cpu else "")
                + f"{100 * row['bare/page']:.1f} % of bare"
            )
        log("; ".join(shown))
    log("")
    for (name, key), values in figures.items():
        scale, unit = (100, " %") if key == "bare/page" else (1, " ms")
        log(
            f"{name + ' ' + key:<34} median {scale * statistics.median(values):8.2f}{unit}   "
            f"range {scale * min(values):.2f}–{scale * max(values):.2f}{unit}   (runs={runs})"
        )
    return figures


def measure_misses(runs, requests):
    """Search misses against the bare view, ``runs`` times: median and range of each figure."""
    from django.urls import reverse

    from shop.search.results import SiteSearch

    found = {q: SiteSearch().run(q).count() for q in MISSES}
    assert not any(found.values()), f"not misses in this data: {found}"
    search = reverse("site-search")
    against_bare({"search miss": [f"{search}?q={q}" for q in MISSES]}, runs, requests, cpu=True)


def read_pages():
    """The read pages a buyer without the page cache gets rendered: home, catalogue (each
    sort), a category, a product."""
    from django.urls import reverse

    from catalogue.models import Category, Product

    catalogue = reverse("catalogue:index")
    category = Category.objects.filter(is_public=True).order_by("depth", "path").first()
    product = Product.objects.filter(is_public=True, parent=None).order_by("-date_created").first()
    return {
        "home": ["/"],
        "catalogue newest": [catalogue],
        "catalogue popular": [catalogue + "?sort=popular"],
        "catalogue price": [catalogue + "?sort=price_asc", catalogue + "?sort=price_desc"],
        "category": [category.get_absolute_url()],
        "product": [product.get_absolute_url()],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3, help="search-miss runs (at least 3)")
    parser.add_argument(
        "--measure-only", action="store_true", help="time an already filled database"
    )
    parser.add_argument(
        "--pages",
        action="store_true",
        help="also time the read pages (home, catalogue sorts, category, product) without the "
        "page cache, against the bare view, --runs times",
    )
    args = parser.parse_args()

    import django

    django.setup()
    log(f"database {os.environ['DATABASE_URL'].split('@')[-1]}")
    started = time.monotonic()
    if not args.measure_only:
        fill(args.products, args.lines)
        measure(args.requests)
    if args.pages:
        log("")
        against_bare(read_pages(), max(3, args.runs), args.requests, cpu=True)
    log("")
    measure_misses(max(3, args.runs), args.requests)
    log(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
