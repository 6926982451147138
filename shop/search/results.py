"""A buyer's query, parsed, run and shown: ranked, highlighted, paginated hits.

``SiteSearch().run("土鸡蛋")`` cuts the query with the segmenter (synonyms and pinyin
included), asks the engine for the strict match (every word) and falls back to a loose
one (any word) when that finds nothing. ``SearchResults`` is lazy and sliceable, so
Django's Paginator counts once and loads only the page it shows; a product hit's village,
price and stock come in a fixed number of queries.
"""

import re
from functools import cached_property

from django.conf import settings
from django.db.models import Q
from django.urls import translate_url
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalogue.models import Village
from catalogue.selectors import priced_product_queryset
from shop.search.documents import teach_place_words
from shop.search.engines import engine
from shop.search.models import SearchDocument
from shop.search.segmenter import ASCII_WORD_RE, CJK_RE, SYNONYMS, segmenter

MAX_QUERY_LENGTH = 100
MAX_TOKENS = 12
TITLE_LENGTH = SearchDocument._meta.get_field("title").max_length
# Hits on a page of the search view: a query's count comes with its first page's ids.
PAGE_SIZE = 20
# What a product hit reads of its product (templates/search/results.html): the link, the
# unit after the price, the village's name, and for the buying strategy's price and stock
# the structure and the class's stock rule. Twenty whole products (about thirty columns
# each, with their villages and classes) took 4.5 ms to build, these 1.8 ms.
HIT_PRODUCT_FIELDS = (
    "slug",
    "structure",
    "unit",
    "parent",
    "origin_village__name",
    "product_class__track_stock",
)


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


def in_language(path):
    """A stored page path (``/stories/x/``) in the active language (``/en/stories/x/``)."""
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
        self.title_html = highlighter.title(document)
        self.snippet_html = highlighter.snippet(
            document.text, indexed=highlighter.indexed_body(document)
        )
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
        self._spelled = {}

    def _spells_a_term(self, word):
        """Whether the buyer's pinyin spells ``word`` (or begins it), asked once per word
        per query: twenty hits repeat most of their words."""
        found = self._spelled.get(word)
        if found is None:
            spelled = self.seg.pinyin(word)
            found = bool(spelled) and any(
                s.startswith(term) or term.startswith(s) and len(s) > 1
                for term in self.parsed.pinyin_terms
                for s in spelled
            )
            self._spelled[word] = found
        return found

    @property
    def reads_indexed_words(self):
        """Whether hits should load the words their documents were indexed as: only a
        pinyin query looks for words to mark beyond the ones typed."""
        return bool(self.parsed.pinyin_terms)

    def title(self, document):
        """A hit's title, marked. The words the buyer's pinyin spells are looked up among
        the words the title was indexed as (``title_tokens``: its words as
        ``segmenter.words`` cuts them, then their pinyin), not cut again; a title cut short
        at the column's length is cut here."""
        title = document.title
        if not self.reads_indexed_words or len(title) >= TITLE_LENGTH:
            return self.mark(title)
        return self.mark(title, self._pattern_for(title, words=document.title_tokens.split()))

    def indexed_body(self, document):
        """The words a hit's body was indexed as (``body_tokens``), when a pinyin query
        loaded them. jieba cuts at every space, so a text's words are among those of the
        text joined to the document's other body fields."""
        return document.body_tokens.split() if self.reads_indexed_words else None

    def _pinyin_words(self, text, positions=None, words=None):
        """The words of ``text`` the buyer's pinyin spells; ``positions`` is the text
        already cut (``segmenter.positions``), or ``words`` its words as ``words`` has
        them, if either is known."""
        if not self.parsed.pinyin_terms:
            return []
        if words is None and positions is None:
            words = self.seg.words(text)
        elif words is None:
            words = [word.lower() for word, _start in positions]  # as ``words`` has them
        return [word for word in words if self._spells_a_term(word)]

    def _first_pinyin_word(self, text, positions=None):
        """Where the first word the buyer's pinyin spells starts in ``text``, or None. The
        text is cut only up to that word, not to its end (a story's body is long)."""
        if not self.parsed.pinyin_terms:
            return None
        for word, start in self.seg.positions(text) if positions is None else positions:
            if self._spells_a_term(word.lower()):
                return start
        return None

    def _pattern_for(self, text, positions=None, words=None):
        extra = self._pinyin_words(text, positions, words)
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

    def snippet(self, text, width=90, indexed=None):
        """About ``width`` letters of ``text`` around its first match, marked. Only that
        piece is cut into words to mark what the buyer's pinyin spells. ``indexed``, if
        known, holds every word of the text (``indexed_body``): when none of those found
        in the text is spelled, a text no longer than the snippet is shown whole, marked
        without cutting it."""
        if not text:
            return ""
        found = self.pattern.search(text) if self.pattern else None
        if found is None and len(text) <= width and indexed is not None:
            lowered = text.lower()  # as ``segmenter.words`` has them
            if not self._pinyin_words(text, words=[w for w in indexed if w in lowered]):
                return mark_safe(self.mark(text, self.pattern))
        starts = [found.start()] if found else []
        # A text no longer than the snippet (a product's description, mostly) is cut once,
        # for where the first spelled word is and for marking it when the piece is all of it.
        positions = None
        if found is None and len(text) <= width and self.parsed.pinyin_terms:
            positions = list(self.seg.positions(text))
        spelled = self._first_pinyin_word(text[: found.start()] if found else text, positions)
        if spelled is not None:
            starts.append(spelled)
        start = max(0, min(starts) - width // 3) if starts else 0
        piece = text[start : start + width]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + width < len(text) else ""
        pattern = self._pattern_for(piece, positions) if start == 0 and positions else None
        return mark_safe(prefix + self.mark(piece, pattern) + suffix)


class SearchResults:
    """A lazily counted, sliceable result list, shaped for Django's Paginator."""

    def __init__(self, parsed, groups):
        self.parsed = parsed
        self.groups = groups
        self.engine = engine()
        self.highlighter = Highlighter(parsed)

    def count(self):
        """How many documents match; the ranked ids of the first page come with it, in
        the same statement, for the page the buyer sees first."""
        if not hasattr(self, "_count"):
            found, self._first_ids = (
                self.engine.page(self.groups, 0, PAGE_SIZE, self.villages)
                if self.groups
                else (0, [])
            )
            self._count = found or 0
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item : item + 1][0]
        offset = item.start or 0
        limit = (item.stop if item.stop is not None else self.count()) - offset
        if limit <= 0 or not self.count():  # a miss's empty page asks for nothing more
            return []
        if offset + limit <= PAGE_SIZE:
            return self.load(self._first_ids[offset : offset + limit])
        _found, ids = self.engine.page(self.groups, offset, limit, self.villages)
        return self.load(ids)

    @cached_property
    def villages(self):
        """Villages the query names (向阳村, 向阳, xiangyang): their things rank first. A
        query of their ids, run inside the engine's statement; None when there is none."""
        terms = [t for group in self.parsed.groups for t, _prefix in group if len(t) > 1]
        if not terms or not self.groups:
            return None
        match = Q(name__in=terms) | Q(slug__in=terms)
        for term in terms:
            if CJK_RE.search(term):
                match |= Q(name__startswith=term)
        return Village.objects.filter(match).order_by().values("pk")

    def load(self, ids):
        """Documents for ``ids`` in order, with what a product hit shows (its village, price
        and stock, no photo) in a fixed number of queries."""
        if not ids:
            return []
        # The tokens are for the index; a hit shows its title, text and link, and a pinyin
        # query reads the indexed words to mark instead of cutting the title and text again.
        docs = SearchDocument.objects.all()
        if not self.highlighter.reads_indexed_words:
            docs = docs.defer("title_tokens", "body_tokens")
        docs = docs.in_bulk(ids)
        product_ids = [d.object_id for d in docs.values() if d.kind == "product"]
        products = (
            priced_product_queryset().only(*HIT_PRODUCT_FIELDS).in_bulk(product_ids)
            if product_ids
            else {}
        )
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
        teach_place_words()
        parsed = ParsedQuery(raw)
        if not parsed:
            return SearchResults(parsed, [])
        results = SearchResults(parsed, parsed.groups)
        if results.count() == 0:
            loose = parsed.loose_groups()
            if loose != parsed.groups:  # one word: the loose query is the strict one again
                results = SearchResults(parsed, loose)
        return results
