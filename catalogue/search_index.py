"""Chinese site search: segmentation, the index, and ranked, highlighted results.

How the parts connect:

* ``Segmenter`` wraps a private jieba tokenizer that knows the trade's words
  (笨鸡蛋, 小笨鸡, 土鸡蛋…) and the villages' names, and turns text into
  space-separated tokens plus their pinyin (full and initials), so ``jidan``
  and ``jd`` find 鸡蛋.
* ``DocumentBuilder`` turns a product or a published story into a
  ``SearchDocument`` row. Only public fields go in: households appear by their
  ``shown_name`` and never by real name or phone.
* ``SiteSearch`` queries the database's own full-text engine (SQLite FTS5 or
  PostgreSQL ``tsvector`` with a GIN index, see migration 0035) and ranks title
  hits above body hits, in-stock above sold-out, then by BM25 / ``ts_rank``.
* ``catalogue.receivers`` keeps documents current on save, stock change and
  story publication; ``manage.py rebuild_search_index`` rebuilds everything.
"""

import logging
import re
from functools import cached_property

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 100
MAX_TOKENS = 12
PLACE_WORDS_CACHE_KEY = "search:place-words"

# Words of the trade jieba's general dictionary cuts wrongly or not at all.
TRADE_WORDS = [
    "笨鸡蛋",
    "土鸡蛋",
    "小笨鸡",
    "土鸡",
    "笨鸡",
    "柴鸡蛋",
    "乌鸡蛋",
    "绿壳蛋",
    "绿壳",
    "土鸭蛋",
    "鸭蛋",
    "老母鸡",
    "麻鸭",
    "土麻鸭",
    "水蜜桃",
    "甜瓜",
    "西红柿",
    "小白菜",
    "红薯粉条",
    "粉条",
    "干豆角",
    "豆角",
    "玉米面",
    "石磨",
    "小米",
    "杏干",
    "柿子饼",
    "花生油",
    "小榨",
    "紫皮蒜",
    "大蒜",
    "土豆",
    "洋葱",
    "南瓜",
    "西瓜",
    "散养",
    "农家",
    "礼盒",
    "时令",
    "工作队",
    "驻村",
    "消费帮扶",
    "监测户",
    "脱贫户",
    "自提点",
]
# Buyers use these names for the same thing; a query for one finds the others.
SYNONYMS = {
    "笨鸡蛋": ["土鸡蛋", "柴鸡蛋"],
    "土鸡蛋": ["笨鸡蛋", "柴鸡蛋"],
    "柴鸡蛋": ["土鸡蛋", "笨鸡蛋"],
    "笨鸡": ["土鸡"],
    "土鸡": ["笨鸡"],
    "番茄": ["西红柿"],
    "西红柿": ["番茄"],
    "马铃薯": ["土豆"],
    "土豆": ["马铃薯"],
}

WORD_RE = re.compile(r"\w", re.UNICODE)
CJK_RE = re.compile(r"[\u3400-\u9fff]")
ASCII_WORD_RE = re.compile(r"^[a-z0-9]+$")


class Segmenter:
    """jieba and pypinyin behind one small interface."""

    @cached_property
    def tokenizer(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba prints its cache banner otherwise
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in TRADE_WORDS:
            tokenizer.add_word(word, freq=20000)
        self._known = set(TRADE_WORDS)
        return tokenizer

    def add_words(self, words):
        tokenizer = self.tokenizer
        for word in words:
            if word and word not in self._known:
                tokenizer.add_word(word, freq=20000)
                self._known.add(word)

    def ensure_place_words(self):
        """Teach jieba the villages' names (cached, refreshed when a village changes)."""
        names = cache.get(PLACE_WORDS_CACHE_KEY)
        if names is None:
            from catalogue.models import Village

            names = list(Village.objects.values_list("name", flat=True))
            cache.set(PLACE_WORDS_CACHE_KEY, names, 3600)
        self.add_words(names)

    def words(self, text):
        """Every searchable word in ``text``: jieba's search-mode cut, lower-cased."""
        if not text:
            return []
        return [w.lower() for w in self.tokenizer.cut_for_search(text) if WORD_RE.search(w)]

    def query_words(self, text):
        """The words a buyer meant: jieba's precise cut."""
        return [w.lower() for w in self.tokenizer.cut(text) if WORD_RE.search(w)]

    @staticmethod
    def pinyin(word):
        """(full, initials) for a word with Chinese characters, else None."""
        if not CJK_RE.search(word):
            return None
        from pypinyin import Style, lazy_pinyin

        syllables = [s for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s]
        if not syllables:
            return None
        return "".join(syllables), "".join(s[0] for s in syllables)

    def with_pinyin(self, words):
        out = list(words)
        for word in words:
            spelled = self.pinyin(word)
            if spelled:
                out.extend(spelled)
        return out


segmenter = Segmenter()


def load_dictionaries():
    """Load jieba's and pypinyin's dictionaries now (about 100 MB of Python objects, and a
    second or so). App servers call it before forking their workers, so the workers share
    one copy and the first search after a start does not wait for it. No database access."""
    segmenter.tokenizer  # noqa: B018 -- the cached property does the loading
    segmenter.pinyin("鸡蛋")


SKIPPED_BLOCK_KEYS = {"product", "products", "household", "image", "images", "id", "type"}


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
    from catalogue.models import Product

    return (
        Product.objects.browsable()
        .filter(is_public=True)
        .select_related("origin_village")
        .prefetch_related("stockrecords__partner", "categories", "households__village")
    )


def story_index_queryset():
    from content.models import StoryPage

    return (
        StoryPage.objects.live()
        .public()
        .select_related("village", "team")
        .prefetch_related("related_products")
    )


def _index_one(kind, obj_or_pk, queryset, build):
    """Create, refresh or drop the document of one object of ``kind``."""
    from catalogue.models import SearchDocument

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
    from catalogue.models import SearchDocument

    SearchDocument.objects.filter(kind=kind, object_id=pk).delete()


@transaction.atomic
def rebuild(batch_size=500, log=None):
    """Rebuild every document from scratch; returns (products, stories) indexed."""
    from catalogue.models import SearchDocument

    builder = DocumentBuilder()
    segmenter.ensure_place_words()
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


# --- querying ----------------------------------------------------------------------


class ParsedQuery:
    """A buyer's query as groups of alternatives: every group must match.

    ``groups`` is a list of lists of (term, is_prefix). ``highlight`` is what to
    mark in titles and snippets.
    """

    def __init__(self, raw, seg=segmenter):
        self.raw = " ".join(raw.split())[:MAX_QUERY_LENGTH]
        self.groups = []
        self.highlight = set()
        self.pinyin_terms = []
        for word in seg.query_words(self.raw)[:MAX_TOKENS]:
            if ASCII_WORD_RE.match(word):
                self.groups.append([(word, True)])
                self.pinyin_terms.append(word)
                self.highlight.add(word)
                continue
            alternatives = [word, *SYNONYMS.get(word, [])]
            self.groups.append([(alt, False) for alt in alternatives])
            self.highlight.update(alternatives)
        # A run of pinyin typed with spaces ("ji dan") also counts as one word.
        ascii_words = self.raw.lower().split()
        if len(ascii_words) > 1 and all(ASCII_WORD_RE.match(w) for w in ascii_words):
            joined = "".join(ascii_words)
            self.groups = [[(joined, True)]] if len(joined) > 1 else self.groups
            self.pinyin_terms = [joined]

    def __bool__(self):
        return bool(self.groups)

    def loose_groups(self, seg=segmenter):
        """One group of everything: used when the strict query finds nothing."""
        terms = {t for group in self.groups for t in group if len(t[0]) > 1}
        for word in seg.words(self.raw):
            if len(word) < 2:
                continue  # single characters (的, 了, 王) would match nearly everything
            terms.add((word, bool(ASCII_WORD_RE.match(word))))
            if not ASCII_WORD_RE.match(word):
                self.highlight.add(word)
        return [sorted(terms)] if terms else []


def village_order(village_ids):
    """An ORDER BY term putting things from the villages the buyer named first."""
    ids = ",".join(str(int(pk)) for pk in village_ids)
    return f"(d.village_id IN ({ids}))" if ids else "(1 = 0)"


class SqliteEngine:
    @staticmethod
    def _term(term, prefix):
        return '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")

    def expression(self, groups, column=None):
        parts = []
        for group in groups:
            alts = " OR ".join(self._term(t, p) for t, p in group)
            parts.append(f"({alts})")
        expr = " AND ".join(parts)
        return f"{{{column}}} : ({expr})" if column else expr

    def count(self, groups):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM catalogue_search_fts WHERE catalogue_search_fts MATCH %s",
                [self.expression(groups)],
            )
            return cursor.fetchone()[0]

    def ids(self, groups, offset, limit, villages=()):
        sql = f"""
            SELECT d.id FROM catalogue_search_fts f
            JOIN catalogue_searchdocument d ON d.id = f.rowid
            WHERE catalogue_search_fts MATCH %s
            ORDER BY (f.rowid IN (SELECT rowid FROM catalogue_search_fts
                                  WHERE catalogue_search_fts MATCH %s)) DESC,
                     {village_order(villages)} DESC,
                     d.in_stock DESC,
                     bm25(catalogue_search_fts, 10.0, 1.0),
                     d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [self.expression(groups), self.expression(groups, "title_tokens"), limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresEngine:
    VECTOR = (
        "(setweight(to_tsvector('simple', d.title_tokens), 'A')"
        " || setweight(to_tsvector('simple', d.body_tokens), 'B'))"
    )

    @staticmethod
    def _term(term, prefix):
        quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + (":*" if prefix else "")

    def expression(self, groups):
        return " & ".join("(" + " | ".join(self._term(t, p) for t, p in g) + ")" for g in groups)

    def count(self, groups):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM catalogue_searchdocument d "
                f"WHERE {self.VECTOR} @@ to_tsquery('simple', %s)",
                [self.expression(groups)],
            )
            return cursor.fetchone()[0]

    def ids(self, groups, offset, limit, villages=()):
        sql = f"""
            SELECT d.id FROM catalogue_searchdocument d, to_tsquery('simple', %s) q
            WHERE {self.VECTOR} @@ q
            ORDER BY (to_tsvector('simple', d.title_tokens) @@ q) DESC,
                     {village_order(villages)} DESC,
                     d.in_stock DESC,
                     ts_rank('{{0.1, 0.2, 0.4, 1.0}}', {self.VECTOR}, q) DESC,
                     d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.expression(groups), limit, offset])
            return [row[0] for row in cursor.fetchall()]


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()


def in_language(path):
    """A stored page path (``/stories/x/``) in the active language (``/en/stories/x/``)."""
    from django.conf import settings
    from django.urls import translate_url
    from django.utils import translation

    if not path:
        return path
    language = translation.get_language()
    with translation.override(settings.LANGUAGE_CODE):  # stored paths carry no prefix
        return translate_url(path, language)


class SearchHit:
    def __init__(self, document, highlighter, product=None):
        self.document = document
        self.kind = document.kind
        # Stored in the language it was indexed in; a hit links to the reader's language.
        self.url = product.get_absolute_url() if product is not None else in_language(document.url)
        self.title_html = highlighter.mark(document.title)
        self.snippet_html = highlighter.snippet(document.text)
        self.product = product
        self.object = product


class Highlighter:
    """Wraps query words in <mark>; everything else is escaped."""

    def __init__(self, parsed, seg=segmenter):
        self.parsed = parsed
        self.seg = seg
        terms = sorted((t for t in parsed.highlight if t), key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
        )

    def _pinyin_words(self, text):
        found = []
        if not self.parsed.pinyin_terms:
            return found
        for word in self.seg.words(text):
            spelled = self.seg.pinyin(word)
            if spelled and any(
                s.startswith(term) or term.startswith(s) and len(s) > 1
                for term in self.parsed.pinyin_terms
                for s in spelled
            ):
                found.append(word)
        return found

    def _pattern_for(self, text):
        extra = self._pinyin_words(text)
        if not extra:
            return self.pattern
        terms = sorted(set(self.parsed.highlight) | set(extra), key=len, reverse=True)
        return re.compile("|".join(re.escape(t) for t in terms if t), re.IGNORECASE)

    def mark(self, text, pattern=None):
        pattern = pattern or self._pattern_for(text)
        if not text:
            return ""
        if pattern is None:
            return escape(text)
        out, last = [], 0
        for match in pattern.finditer(text):
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
        out.append(escape(text[last:]))
        return mark_safe("".join(out))

    def snippet(self, text, width=90):
        if not text:
            return ""
        pattern = self._pattern_for(text)
        match = pattern.search(text) if pattern else None
        start = max(0, match.start() - width // 3) if match else 0
        piece = text[start : start + width]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + width < len(text) else ""
        return mark_safe(prefix + self.mark(piece, pattern) + suffix)


class SearchResults:
    """A lazily counted, sliceable result list, shaped for Django's Paginator."""

    def __init__(self, parsed, groups):
        self.parsed = parsed
        self.groups = groups
        self.engine = engine()
        self.highlighter = Highlighter(parsed)

    def count(self):
        if not hasattr(self, "_count"):
            self._count = self.engine.count(self.groups) if self.groups else 0
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item : item + 1][0]
        offset = item.start or 0
        limit = (item.stop if item.stop is not None else self.count()) - offset
        return self.load(self.engine.ids(self.groups, offset, max(limit, 0), self.villages))

    @cached_property
    def villages(self):
        """Villages the query names (向阳村, 向阳, xiangyang): their things rank first."""
        from django.db.models import Q

        from catalogue.models import Village

        terms = [t for group in self.parsed.groups for t, _prefix in group if len(t) > 1]
        if not terms or not self.groups:
            return []
        match = Q(name__in=terms) | Q(slug__in=terms)
        for term in terms:
            if CJK_RE.search(term):
                match |= Q(name__startswith=term)
        return list(Village.objects.filter(match).values_list("pk", flat=True))

    def load(self, ids):
        """Documents for ``ids`` in order, with product cards' data in a fixed number of queries."""
        from catalogue.models import SearchDocument
        from catalogue.selectors import product_card_queryset

        if not ids:
            return []
        docs = SearchDocument.objects.in_bulk(ids)
        product_ids = [d.object_id for d in docs.values() if d.kind == "product"]
        products = product_card_queryset().in_bulk(product_ids) if product_ids else {}
        hits = []
        for pk in ids:
            doc = docs.get(pk)
            if doc is None:
                continue
            product = products.get(doc.object_id) if doc.kind == "product" else None
            if doc.kind == "product" and product is None:
                continue  # unpublished since it was indexed
            hits.append(SearchHit(doc, self.highlighter, product))
        return hits


class SiteSearch:
    """Entry point for the search view: ``SiteSearch().run("土鸡蛋")``."""

    def run(self, raw):
        segmenter.ensure_place_words()
        parsed = ParsedQuery(raw)
        if not parsed:
            return SearchResults(parsed, [])
        results = SearchResults(parsed, parsed.groups)
        if results.count() == 0:
            results = SearchResults(parsed, parsed.loose_groups())
        return results
