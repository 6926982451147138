"""What goes into a search document, and writing documents.

A product's document holds its title, categories, team, village (with township and
county), households by their public ``shown_name`` only (never a real name or phone),
description, season and storage notes, English search words and UPC; a published story's
holds its title, summary, body text, village, team and the products it names. The search
app sits above the catalogue and the content app and reads both; neither knows it.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.html import strip_tags

from catalogue.models import Product, Village
from content.models import StoryPage
from shop.search.models import SearchDocument
from shop.search.segmenter import CJK_RE, segmenter

PLACE_WORDS_CACHE_KEY = "search:place-words"
SKIPPED_BLOCK_KEYS = {"product", "products", "household", "image", "images", "id", "type"}


def teach_place_words(seg=segmenter):
    """Teach the segmenter the villages' names (cached, dropped when a village changes)."""
    names = cache.get(PLACE_WORDS_CACHE_KEY)
    if names is None:
        names = list(Village.objects.values_list("name", flat=True))
        cache.set(PLACE_WORDS_CACHE_KEY, names, 3600)
    seg.add_words(names)


def stream_text(stream):
    """The words of a StreamField, from its raw data: no rendering, no references to other objects."""
    out = []

    def walk(value):
        if isinstance(value, str):
            if not value.isdigit():
                out.append(strip_tags(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in SKIPPED_BLOCK_KEYS:
                    walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for block in getattr(stream, "raw_data", None) or []:
        if isinstance(block, dict) and block.get("type") not in SKIPPED_BLOCK_KEYS:
            walk(block.get("value"))
    return out


def _join(words):
    return " ".join(dict.fromkeys(w for w in words if w))


class DocumentBuilder:
    """Builds the search document fields for products and stories."""

    def __init__(self, seg=segmenter):
        self.seg = seg

    def product_fields(self, product):
        seg = self.seg
        title = product.get_title()
        village = product.origin_village
        stockrecords = list(product.stockrecords.all())
        teams = [sr.partner.name for sr in stockrecords if sr.partner_id]
        categories = [c.name for c in product.categories.all()]
        # English words (``search_words_en``) of the product and its categories: /en/ buyers
        # type "eggs" or "free-range".
        english = " ".join(
            [product.search_words_en, *(c.search_words_en for c in product.categories.all())]
        )
        households = [h.shown_name for h in product.households.all()]
        description = strip_tags(product.description or "")
        named = [title, *categories, *teams]
        if village:
            seg.add_words([village.name])
            named += [village.name, village.township, village.county]
        meta_words = [w for text in named for w in seg.words(text)]
        body_text = " ".join(
            [description, product.season_note, product.storage_advice, *map(str, households)]
        )
        title_words = seg.words(title)
        return {
            "title": title[:255],
            "text": " ".join(description.split()),
            "url": product.get_absolute_url(),
            "title_tokens": _join(seg.with_pinyin(title_words)),
            "body_tokens": _join(
                seg.with_pinyin(meta_words)
                + seg.words(body_text)
                + seg.words(english)
                + [c for c in title if CJK_RE.match(c)]  # single characters: 鸡 finds 小笨鸡
                + [product.upc.lower() if product.upc else ""]
            ),
            "in_stock": any(
                (sr.num_in_stock or 0) > (sr.num_allocated or 0) for sr in stockrecords
            ),
            "village": village,
        }

    def story_fields(self, story):
        seg = self.seg
        body_text = " ".join(stream_text(story.body))
        named = [story.title]
        if story.village_id:
            seg.add_words([story.village.name])
            named += [story.village.name, story.village.township]
        if story.team_id:
            named.append(story.team.name)
        products = [p.get_title() for p in story.related_products.all()]
        meta_words = [w for text in named for w in seg.words(text)]
        return {
            "title": story.title[:255],
            "text": " ".join(f"{story.summary} {body_text}".split()),
            "url": story.get_url() or story.url_path,
            "title_tokens": _join(seg.with_pinyin(seg.words(story.title))),
            "body_tokens": _join(
                seg.with_pinyin(meta_words)
                + seg.words(" ".join([story.summary, body_text, *products]))
            ),
            "in_stock": True,
            "village": story.village if story.village_id else None,
        }


def product_index_queryset():
    return (
        Product.objects.browsable()
        .filter(is_public=True)
        .select_related("origin_village")
        .prefetch_related("stockrecords__partner", "categories", "households__village")
    )


def story_index_queryset():
    return (
        StoryPage.objects.live()
        .public()
        .select_related("village", "team")
        .prefetch_related("related_products")
    )


def _index_one(kind, obj_or_pk, queryset, build):
    """Create, refresh or drop the document of one object of ``kind``."""
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        SearchDocument.objects.filter(kind=kind, object_id=pk).delete()
        return None
    doc, _created = SearchDocument.objects.update_or_create(
        kind=kind, object_id=pk, defaults=build(obj)
    )
    return doc


def index_product(product_or_pk):
    """Create, refresh or drop one product's document."""
    return _index_one(
        "product", product_or_pk, product_index_queryset(), DocumentBuilder().product_fields
    )


def index_story(page_or_pk):
    """Create, refresh or drop one story's document (drafts and unpublished pages drop)."""
    return _index_one("story", page_or_pk, story_index_queryset(), DocumentBuilder().story_fields)


def remove(kind, pk):
    SearchDocument.objects.filter(kind=kind, object_id=pk).delete()


@transaction.atomic
def rebuild(batch_size=500, log=None):
    """Rebuild every document from scratch; returns (products, stories) indexed."""
    builder = DocumentBuilder()
    teach_place_words()
    SearchDocument.objects.all().delete()
    counts = {"product": 0, "story": 0}
    batch = []

    def flush():
        SearchDocument.objects.bulk_create(batch)
        batch.clear()

    for product in product_index_queryset().order_by("pk").iterator(chunk_size=batch_size):
        batch.append(
            SearchDocument(kind="product", object_id=product.pk, **builder.product_fields(product))
        )
        counts["product"] += 1
        if len(batch) >= batch_size:
            flush()
            if log:
                log(f"{counts['product']} products indexed")
    for story in story_index_queryset().order_by("pk"):
        batch.append(
            SearchDocument(kind="story", object_id=story.pk, **builder.story_fields(story))
        )
        counts["story"] += 1
    flush()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO catalogue_search_fts(catalogue_search_fts) VALUES ('optimize')"
            )
    return counts["product"], counts["story"]
