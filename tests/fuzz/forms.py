"""The fuzz stage's parts: which pages serve a form, what fields a form has, and the
bad values Hypothesis posts to it (``tests/fuzz/test_forms_fuzz.py`` drives them)."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation
from hypothesis import strategies as st

PREFIXES = ("/shop/", "/search/", "/en/shop/", "/en/search/")
SKIPPED_NAMES = {
    "customer:logout",
    "dashboard:logout",
    "set_language",
}


# --- pages -------------------------------------------------------------------------


def url_patterns(resolver=None, names=(), params=()):
    """(name, parameter names) of every named view the resolver knows."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        own = _params(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = names + ((entry.namespace,) if entry.namespace else ())
            yield from url_patterns(entry, namespace, params + own)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(names + (entry.name,)), params + own


def _params(pattern):
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def page_paths(fill):
    """Every path under the shop, search and their English twins whose parameters
    ``fill(name, param)`` can give a value (``None``: that page is left out)."""
    paths = set()
    for name, params in url_patterns():
        if name in SKIPPED_NAMES:
            continue
        kwargs = {param: fill(name, param) for param in dict.fromkeys(params)}
        if any(value is None for value in kwargs.values()):
            continue
        for language in ("zh-hans", "en"):
            with translation.override(language):
                try:
                    path = reverse(name, kwargs=kwargs)
                except NoReverseMatch:
                    continue
            if path.startswith(PREFIXES):
                paths.add(path)
    return sorted(paths)


# --- forms -------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list = field(default_factory=list)

    @property
    def key(self):
        return (self.method, self.action, tuple(sorted({f.name for f in self.fields})))

    @property
    def fuzzable(self):
        return [f for f in self.fields if f.name != "csrfmiddlewaretoken"]


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = []
        self.form = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self.form = Form(self.page, urlsplit(action).path, (a.get("method") or "get").lower())
            self.forms.append(self.form)
        elif self.form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                value = ""
            else:
                value = a.get("value") or ("on" if kind in ("checkbox", "radio") else "")
            if kind == "radio" and any(f.name == a["name"] for f in self.form.fields):
                return
            self.form.fields.append(Field(a["name"], kind, value))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self.form.fields.append(Field(a["name"], "submit", a.get("value") or ""))
        elif tag == "select":
            self.select = Field(a["name"], "select")
            self.form.fields.append(self.select)
        elif tag == "textarea":
            self.textarea = Field(a["name"], "textarea")
            self.form.fields.append(self.textarea)
        if tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select.options.append(value)
            if "selected" in a or not self.select.value:
                self.select.value = value

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_on(page, html):
    parser = _FormParser(page)
    parser.feed(html)
    return [f for f in parser.forms if f.action.startswith(PREFIXES) and f.fuzzable]


# --- bad values ---------------------------------------------------------------------

BAD_TEXT = [
    "",
    " ",
    "\x00",
    "鸡蛋\x00",
    "\x01\x02\x1b\x7f",
    "\t\r\n",
    "\u202e\u200b",
    "\ud7ff\ufffd\U0001f95a",
    "蛋" * 3000,
    "x" * 70000,
    "-1",
    "0",
    "99999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "-Infinity",
    "0.0000001",
    "３",
    "abc",
    "2026-13-45",
    "25:99",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "[]",
    '{"a": 1}',
    '=HYPERLINK("http://x")',
]
BAD_FILES = [
    (b"", "empty.png"),
    (b"not an image at all", "photo.jpg"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png"),
    (b"a,b\n\x00,2\n", "sheet.csv"),
    (b"PK\x03\x04broken", "sheet.xlsx"),
]


def _file(choice):
    content, name = choice
    return SimpleUploadedFile(name, content)


HUGE = ("99999999999999999999999", "-99999999999999999999")


def value_strategy(fld, huge_integers=True):
    """Keep the page's own value, leave the field out, or put something bad in it.

    ``huge_integers=False`` keeps numbers within 64 bits: SQLite's driver raises
    OverflowError for a larger one inside ``IN (...)`` (Oscar's multiple-choice fields),
    where PostgreSQL, which the shop runs on, simply finds no row."""
    limit = 2**70 if huge_integers else 2**62
    texts = BAD_TEXT if huge_integers else [t for t in BAD_TEXT if t not in HUGE]
    bad = st.one_of(
        st.sampled_from(texts),
        st.text(max_size=40),
        st.integers(min_value=-limit, max_value=limit).map(str),
    )
    if fld.kind == "file":
        return st.one_of(st.just(None), st.sampled_from(BAD_FILES).map(_file), bad)
    own = [fld.value] + fld.options[:3]
    return st.one_of(
        st.sampled_from(own),
        st.just(None),  # missing (also a missing management field)
        bad,
        st.lists(bad, min_size=2, max_size=3),  # the field sent twice
    )


def form_data(form, huge_integers=True):
    strategies = {f.name: value_strategy(f, huge_integers) for f in form.fuzzable}
    return st.fixed_dictionaries(strategies).map(
        lambda values: {k: v for k, v in values.items() if v is not None}
    )


def is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


NUMBERED = re.compile(r"\d+")


def filler(objects):
    """``fill(name, param)`` for ``page_paths`` from a dict of the world's objects:
    product, category, household, village, team, run, point, zone, order, order_line,
    address, buyer, member, standing."""
    o = objects

    def pk_for(name):
        for words, obj in (
            (("standing:",), o["standing"]),
            (("household",), o["household"]),
            (("fulfilment:run", "fulfilment:driver"), o["run"]),
            (("category",), o["category"]),
            (("address",), o["address"]),
            (("partner",), o["team"]),
            (("dashboard:user-detail", "user-password-reset"), o["buyer"]),
            (
                (
                    "catalogue-product",
                    "basket:add",
                    "alert-create",
                    "product-poster",
                    "product-qr",
                    "catalogue:detail",
                ),
                o["product"],
            ),
        ):
            if any(word in name for word in words):
                return obj.pk
        return None

    def fill(name, param):
        if param == "pk":
            return pk_for(name)
        simple = {
            "number": o["order"].number,
            "order_number": o["order"].number,
            "point_id": o["point"].pk,
            "zone_id": o["zone"].pk,
            "household_id": o["household"].pk,
            "kind": "packing",
            "product_class_slug": o["product"].get_product_class().slug,
            "product_slug": o["product"].slug,
            "category_slug": o["category"].slug,
            "parent_pk": o["product"].pk,
            "product_pk": o["product"].pk,
            "partner_pk": o["team"].pk,
            "user_pk": o["member"].pk,
            "line_id": o["order_line"].pk,
        }
        if param == "slug":
            return {"origin:village": o["village"].slug, "origin:team": o["team"].slug}.get(name)
        return simple.get(param)

    return fill
