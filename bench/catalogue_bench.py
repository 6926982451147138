"""Benchmark of the catalogue and site search at regional-platform size.

Fills a separate database (a fresh SQLite file under /tmp, or ``DATABASE_URL``
when set: point it at a throwaway PostgreSQL database) with the demo alliance
plus 10,000 products and 200,000 order lines (20,000 orders), rebuilds the
search index, then times catalogue and search pages through Django's test
client and prints the median and p95 per page kind. Never fails on speed.

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
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORK_DIR = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
os.environ.setdefault("DATA_DIR", str(WORK_DIR))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
os.environ.setdefault("BENCH_MODE", "1")  # the bare view the misses are measured against

GOODS = [
    "散养土鸡蛋",
    "笨鸡蛋",
    "小笨鸡",
    "土鸭蛋",
    "小米",
    "红薯",
    "玉米面",
    "香椿",
    "核桃",
    "蜂蜜",
    "花椒",
    "粉条",
    "黄豆",
    "绿豆",
    "南瓜",
    "黄瓜",
    "西红柿",
    "豆角",
    "茄子",
    "土豆",
    "山药",
    "杏干",
]
ADJECTIVES = ["农家", "山里", "生态", "手工", "新鲜", "散养", "当季", "古法", "高山", "林下"]
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


def fill(products, lines, seed=7):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from oscar.apps.analytics.models import ProductRecord
    from oscar.core.loading import get_model

    from catalogue.models import Village
    from shop.demo.loader import DemoLoader
    from shop.search import documents as search_index

    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    Category = get_model("catalogue", "Category")
    ProductClass = get_model("catalogue", "ProductClass")
    StockRecord = get_model("partner", "StockRecord")
    Partner = get_model("partner", "Partner")
    Order = get_model("order", "Order")
    Line = get_model("order", "Line")

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - started:.0f} s")
    DemoLoader(log=lambda *a: None).run()

    rng = random.Random(seed)
    teams = list(Partner.objects.all())
    villages = list(Village.objects.all())
    categories = list(Category.objects.all())
    product_class = ProductClass.objects.get(slug="farm-produce")
    now = timezone.now()
    started = time.monotonic()
    records = list(
        StockRecord.objects.filter(partner_sku__startswith="B").select_related("partner", "product")
    )
    if not records:  # a rerun on a kept DATABASE_URL reuses its products
        with transaction.atomic():
            batch = []
            for n in range(products):
                title = (
                    f"{rng.choice(villages).name}{rng.choice(ADJECTIVES)}{rng.choice(GOODS)} {n}号"
                )
                batch.append(
                    Product(
                        title=title,
                        slug=f"bench-{n}",
                        structure=Product.STANDALONE,
                        product_class=product_class,
                        upc=f"B{n:06d}",
                        unit=rng.choice(["jin", "mei", "zhi"]),
                        order_step=rng.choice([1, 2, 10]),
                        origin_village=rng.choice(villages),
                        is_public=True,
                        description=f"<p>{title}，来自村里的农户。</p>",
                        date_created=now - timedelta(minutes=n),
                    )
                )
            created = Product.objects.bulk_create(batch, batch_size=1000)
            ProductCategory.objects.bulk_create(
                [ProductCategory(product=p, category=rng.choice(categories)) for p in created],
                batch_size=2000,
            )
            records = StockRecord.objects.bulk_create(
                [
                    StockRecord(
                        product=p,
                        partner=rng.choice(teams),
                        partner_sku=p.upc,
                        price_currency="CNY",
                        price=D(rng.randint(100, 20000)) / 100,
                        num_in_stock=rng.choice([0, 5, 50, 300]),
                    )
                    for p in created
                ],
                batch_size=2000,
            )
            ProductRecord.objects.bulk_create(
                [ProductRecord(product=p, num_purchases=rng.randint(0, 500)) for p in created],
                batch_size=2000,
            )
    log(f"{len(records)} products with stock in {time.monotonic() - started:.0f} s")

    started = time.monotonic()
    per_order = 10
    orders = lines // per_order
    if Order.objects.filter(number__startswith="B").exists():
        orders = 0
    with transaction.atomic():
        for start in range(0, orders, 2000):
            chunk = Order.objects.bulk_create(
                [
                    Order(
                        number=f"B{n:08d}",
                        currency="CNY",
                        total_incl_tax=D("100.00"),
                        total_excl_tax=D("100.00"),
                        shipping_incl_tax=D("0"),
                        shipping_excl_tax=D("0"),
                        shipping_method="自提",
                        shipping_code="pickup",
                        status="已完成",
                        guest_email=f"b{n}@example.cn",
                        date_placed=now - timedelta(minutes=n),
                    )
                    for n in range(start, min(start + 2000, orders))
                ]
            )
            line_batch = []
            for order in chunk:
                for record in rng.sample(records, per_order):
                    line_batch.append(
                        Line(
                            order=order,
                            partner=record.partner,
                            partner_name=record.partner.name,
                            partner_sku=record.partner_sku,
                            stockrecord=record,
                            product=record.product,
                            title=record.product.title,
                            upc=record.product.upc,
                            quantity=2,
                            line_price_incl_tax=record.price * 2,
                            line_price_excl_tax=record.price * 2,
                            line_price_before_discounts_incl_tax=record.price * 2,
                            line_price_before_discounts_excl_tax=record.price * 2,
                            unit_price_incl_tax=record.price,
                            unit_price_excl_tax=record.price,
                            status="已完成",
                            num_allocated=2,
                        )
                    )
            Line.objects.bulk_create(line_batch, batch_size=5000)
    log(
        f"{orders} orders, {Line.objects.count()} order lines in {time.monotonic() - started:.0f} s"
    )

    started = time.monotonic()
    indexed = search_index.rebuild()
    log(
        f"search index: {indexed[0]} products, {indexed[1]} stories in {time.monotonic() - started:.0f} s"
    )


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
