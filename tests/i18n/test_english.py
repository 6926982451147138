"""The English interface under /en/: pages speak English, and the catalogue behind it is complete.

The msgids are the Chinese source text, so an entry missing from locale/en falls
back to Chinese on an English page; these tests catch that from the outside (the
rendered site chrome) and from the inside (every .po entry translated, the
committed .mo in step with the .po).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# The only Chinese an English header may show: the link back to the Chinese site.
ALLOWED_CHINESE = ("中文",)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]")


def parse_po(path):
    """Entries of a .po file as dicts: id, plural, strs (index -> text), flags."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or (line.startswith("#") and entry and entry["id"] is not None):
            if entry and entry["id"] is not None:
                entries.append(entry)
            entry = None
            if not line.strip():
                continue
        if entry is None:
            entry = {"id": None, "plural": None, "ctxt": None, "strs": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "strs":
                entry["strs"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            keyword, _, literal = line.partition(" ")
            text = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                field = ("strs", index)
                entry["strs"][index] = text
            else:
                field = ({"msgid": "id", "msgid_plural": "plural", "msgctxt": "ctxt"}[keyword],)
                entry[field[0]] = text
    return [e for e in entries if e["id"]]  # the header has an empty msgid


def chrome(html):
    """The site header, footer and bottom tab bar: the parts every page shares."""
    parts = []
    for pattern in (
        r'<header class="site-header">.*?</header>',
        r'<footer class="site-footer">.*?</footer>',
        r'<nav class="tabbar".*?</nav>',
    ):
        match = re.search(pattern, html, re.S)
        assert match, f"page has no {pattern[:20]}…"
        parts.append(match.group(0))
    return "\n".join(parts)


def assert_english_chrome(html):
    assert '<html lang="en">' in html
    text = re.sub(r'value="[^"]*"', "", chrome(html))  # the buyer's own search words
    for allowed in ALLOWED_CHINESE:
        text = text.replace(allowed, "")
    leftovers = sorted(set(re.findall(r"[^<>]*" + CJK.pattern + r"[^<>]*", text)))
    assert not leftovers, f"untranslated Chinese in the English header/footer: {leftovers}"
    for phrase in ("Search", "Home", "All products", "Cart", "My orders", "Log in"):
        assert phrase in text, phrase


def en(name, **kwargs):
    """The English URL of a named view (the language a previous request left active
    must not leak into ``reverse``)."""
    with translation.override("zh-hans"):
        return "/en" + reverse(name, kwargs=kwargs or None)


@pytest.fixture
def english_eggs(eggs):
    """The eggs fixture sold by the egg (枚), so the unit label shows."""
    eggs.unit = "mei"
    eggs.save()
    return eggs


# --- Pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_english_home_page_speaks_english(client, home_page, english_eggs):
    html = client.get("/en/").content.decode()
    assert_english_chrome(html)
    assert "Fresh this week" in html
    assert "Add to cart" in html
    assert "¥1.50 / egg" in html


@pytest.mark.django_db
def test_english_catalogue_shows_buttons_units_and_counts(client, home_page, english_eggs):
    html = client.get(en("catalogue:index")).content.decode()
    assert_english_chrome(html)
    assert "Add to cart" in html
    assert "¥1.50 / egg" in html
    assert "1 product" in html and "In stock only" in html


@pytest.mark.django_db
def test_english_product_page(client, home_page, english_eggs):
    english_eggs.order_step = 10
    english_eggs.save()
    html = client.get("/en" + english_eggs.get_absolute_url()).content.decode()
    assert_english_chrome(html)
    assert "Add to cart" in html
    assert "At least 10 eggs, in multiples of 10" in html
    assert "Where it comes from" in html


@pytest.mark.django_db
def test_english_basket_and_checkout_gateway(client, home_page, english_eggs):
    client.post(reverse("basket:add", kwargs={"pk": english_eggs.pk}), {"quantity": 2})
    basket = client.get(en("basket:summary")).content.decode()
    assert_english_chrome(basket)
    assert english_eggs.title in basket

    gateway = client.get(en("checkout:index"))
    assert gateway.status_code == 200
    assert_english_chrome(gateway.content.decode())


@pytest.mark.django_db
def test_english_search_results(client, home_page, english_eggs):
    html = client.get(en("site-search"), {"q": "鸡蛋"}).content.decode()
    assert_english_chrome(html)
    assert "Search results for" in html
    assert "1 result found" in html

    empty = client.get(en("site-search"), {"q": "不存在的东西"}).content.decode()
    assert "No products or stories found" in empty


@pytest.mark.django_db
def test_english_story_index(client, home_page):
    html = client.get("/en/stories/").content.decode()
    assert_english_chrome(html)
    assert "No stories yet." in html


@pytest.mark.django_db
def test_english_login_page(client, home_page):
    html = client.get(en("customer:login")).content.decode()
    assert_english_chrome(html)


@pytest.mark.django_db
def test_chinese_pages_stay_chinese(client, home_page, english_eggs):
    html = client.get(reverse("catalogue:index")).content.decode()
    assert "加入购物车" in html and "Add to cart" not in html
    assert "¥1.50 / 枚" in html


def test_model_choices_and_messages_translate():
    from catalogue.models import Household, Product

    with translation.override("en"):
        assert [str(label) for _, label in Product.Unit.choices] == [
            "jin",
            "egg",
            "piece",
            "bird",
            "box",
            "portion",
            "kg",
        ]
        assert str(Household.Status.MONITORED.label) == "Household under monitoring"
        assert (
            translation.ngettext("共 %(n)s 件产品", "共 %(n)s 件产品", 2) % {"n": 2} == "2 products"
        )
        assert (
            translation.ngettext("共 %(n)s 件产品", "共 %(n)s 件产品", 1) % {"n": 1} == "1 product"
        )


def test_our_catalogue_does_not_change_oscars_english_or_chinese():
    """Oscar's msgids are English; ours must leave them alone in both languages."""
    with translation.override("en"):
        assert translation.gettext("Dashboard") == "Dashboard"
    with translation.override("zh-hans"):
        assert translation.gettext("Basket") == "购物车"
        assert translation.gettext("搜索") == "搜索"
    for entry in parse_po(PO_PATH):
        if not CJK.search(entry["id"]):
            assert set(entry["strs"].values()) <= {entry["id"], entry["plural"]}, entry["id"]


# --- The catalogue files --------------------------------------------------------


def test_every_po_entry_is_translated_and_keeps_its_placeholders():
    entries = parse_po(PO_PATH)
    assert len(entries) > 500
    problems = []
    for entry in entries:
        if "fuzzy" in entry["flags"]:
            problems.append(("fuzzy", entry["id"]))
        expected_forms = 2 if entry["plural"] is not None else 1
        if len(entry["strs"]) != expected_forms or not all(entry["strs"].values()):
            problems.append(("untranslated", entry["id"]))
        for text in entry["strs"].values():
            if CJK.search(text.replace("中文", "")):
                problems.append(("chinese left", entry["id"]))
            if sorted(set(PLACEHOLDER.findall(text))) != sorted(
                set(PLACEHOLDER.findall(entry["id"]))
            ):
                problems.append(("placeholders differ", entry["id"]))
    assert not problems, problems


def test_compiled_mo_matches_the_po():
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext("加入购物车") == "Add to cart"
    assert (
        catalog.gettext("取货时付款（现金或扫码转账）")
        == "Pay on pickup (cash or QR code transfer)"
    )
    assert catalog.ngettext("找到 %(n)s 条结果", "找到 %(n)s 条结果", 3) == "%(n)s results found"
    stale = []
    for entry in parse_po(PO_PATH):
        key = entry["id"] if entry["ctxt"] is None else f"{entry['ctxt']}\x04{entry['id']}"
        if entry["plural"] is None:
            if catalog._catalog.get(key) != entry["strs"][0]:
                stale.append(entry["id"])
        elif any(catalog._catalog.get((key, i)) != text for i, text in entry["strs"].items()):
            stale.append(entry["id"])
    assert not stale, f"django.mo is older than django.po; run `make messages`: {stale[:10]}"


@pytest.mark.django_db
def test_next_run_cutoff_is_written_the_english_way(client, home_page, team, pickup_point):
    from django.utils import timezone

    from fulfilment.models import DeliveryRun

    cutoff = timezone.localtime(DeliveryRun.objects.get(team=team).cutoff)
    en = client.get("/en/").content.decode()
    zh = client.get("/").content.decode()
    assert (
        f"{cutoff:%a} {cutoff.month}/{cutoff.day} {cutoff:%H:%M}" in en
        and "月" not in en.split("next-runs", 1)[-1].split("</ul>", 1)[0]
    )
    assert f"{cutoff.month}月{cutoff.day}日" in zh
