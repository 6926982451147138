"""The search page: answers for odd input, highlighting, ranking, paging, and an index that follows the data."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.templatetags.purchase_info_tags import purchase_info_for_product

from catalogue.templatetags.shop_tags import price_per_unit
from shop.partner.strategy import Selector
from shop.search.documents import teach_place_words
from shop.search.models import SearchDocument
from shop.search.results import SiteSearch
from shop.search.segmenter import segmenter
from tests.catalogue.factories import VillageFactory, product_in_stock

URL = reverse("site-search")


@pytest.mark.django_db
def test_empty_query_asks_for_a_word(client):
    response = client.get(URL, {"q": "   "})
    assert response.status_code == 200
    assert "请输入要搜索的内容" in response.content.decode()


@pytest.mark.django_db
def test_500_character_query_is_cut_and_explained_not_an_error(client, eggs):
    response = client.get(URL, {"q": "鸡蛋" * 250})
    assert response.status_code == 200
    assert "搜索词太长了" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND OR NOT",
        '鸡蛋" OR "',
        "'; drop table x;--",
        "NEAR(a b)",
        "{title_tokens}:x",
        "\\",
    ],
)
def test_query_syntax_characters_never_break_the_page(client, eggs, query):
    assert client.get(URL, {"q": query}).status_code == 200


@pytest.mark.django_db
def test_results_mark_the_query_and_escape_everything_else(client, team):
    product_in_stock(
        team=team, title="<b>散养土鸡蛋</b>", description="<script>alert(1)</script>土鸡蛋"
    )
    html = client.get(URL, {"q": "土鸡蛋"}).content.decode()
    assert "&lt;b&gt;散养<mark>土鸡蛋</mark>&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
def test_pinyin_query_highlights_the_chinese_word(client, eggs):
    html = client.get(URL, {"q": "jidan"}).content.decode()
    assert "散养土<mark>鸡蛋</mark>" in html or "散养<mark>土鸡蛋</mark>" in html


def test_pinyin_snippet_shows_the_spelled_word_far_into_a_long_text():
    """A story's body: the snippet is the piece around the first word the pinyin spells,
    that word marked, and the text after it is never cut into words."""
    from shop.search.results import Highlighter, ParsedQuery

    seen = []

    class Watching(type(segmenter)):
        def words(self, text):
            seen.append(text)
            return super().words(text)

    watched = Watching()
    watched.__dict__["tokenizer"] = segmenter.tokenizer
    text = "今年村里雨水多，庄稼长得好。" * 30 + "张婶家的土鸡蛋个头匀。" + "秋收以后再说。" * 300
    highlighter = Highlighter(ParsedQuery("jidan", seg=watched), seg=watched)
    html = highlighter.snippet(text)
    assert "<mark>鸡蛋</mark>" in html or "<mark>土鸡蛋</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 160
    assert seen and max(len(piece) for piece in seen) <= 90


@pytest.mark.django_db
def test_in_stock_ranks_above_sold_out_and_title_above_body(team):
    sold_out = product_in_stock(team=team, title="笨鸡蛋 十枚", stock=0)
    in_stock = product_in_stock(team=team, title="笨鸡蛋 二十枚", stock=5)
    body_only = product_in_stock(
        team=team, title="农家小米", description="和笨鸡蛋一起熬粥", stock=50
    )
    hits = SiteSearch().run("笨鸡蛋")[0:10]
    assert [h.product.pk for h in hits] == [in_stock.pk, sold_out.pk, body_only.pk]


@pytest.mark.django_db
def test_index_follows_stock_visibility_and_deletion(team):
    product = product_in_stock(team=team, title="绿壳乌鸡蛋", stock=10)
    doc = SearchDocument.objects.get(kind="product", object_id=product.pk)
    assert doc.in_stock
    record = product.stockrecords.get()
    record.num_in_stock = 0
    record.save()
    assert not SearchDocument.objects.get(pk=doc.pk).in_stock
    product.is_public = False
    product.save()
    assert SiteSearch().run("乌鸡蛋").count() == 0
    product.is_public = True
    product.save()
    assert SiteSearch().run("乌鸡蛋").count() == 1
    product.delete()
    assert not SearchDocument.objects.filter(kind="product", object_id=product.pk).exists()
    assert SiteSearch().run("乌鸡蛋").count() == 0


@pytest.mark.django_db
def test_published_story_is_found_and_unpublished_story_is_not(
    home_page, team, django_capture_on_commit_callbacks
):
    from content.models import StoryIndexPage, StoryPage

    index = StoryIndexPage.objects.get()
    story = StoryPage(
        title="向阳村的鸡蛋进城了", slug="eggs-to-town", summary="王大姐家的鸡蛋", body=[]
    )
    index.add_child(instance=story)
    assert SiteSearch().run("进城").count() == 0  # a draft is not searchable
    with django_capture_on_commit_callbacks(execute=True):  # the worker indexes it after commit
        story.save_revision().publish()
    hits = SiteSearch().run("进城")[0:5]
    assert [h.kind for h in hits] == ["story"] and hits[0].url.endswith("/stories/eggs-to-town/")
    story.unpublish()
    assert SiteSearch().run("进城").count() == 0


@pytest.mark.django_db
def test_rebuild_command_restores_a_lost_index(team, eggs):
    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    assert SiteSearch().run("土鸡蛋").count() == 0
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert SiteSearch().run("土鸡蛋").count() == 1


@pytest.mark.django_db
def test_results_are_paginated(client, team):
    for i in range(25):
        product_in_stock(team=team, title=f"土鸡蛋{i}号")
    first = client.get(URL, {"q": "土鸡蛋"}).content.decode()
    second = client.get(URL, {"q": "土鸡蛋", "page": 2}).content.decode()
    assert "找到 25 条结果" in first
    assert first.count('class="search-hit ') == 20
    assert second.count('class="search-hit ') == 5
    assert client.get(URL, {"q": "土鸡蛋", "page": "zzz"}).status_code == 200


def _queries(client, params):
    client.get(URL, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_search_page_query_count_does_not_grow_with_results(client, team):
    village = VillageFactory(name="向阳村")
    for i in range(10):
        product_in_stock(team=team, title=f"散养土鸡蛋{i}", origin_village=village)
    with_10 = _queries(client, {"q": "土鸡蛋"})
    for i in range(40):
        product_in_stock(team=team, title=f"散养土鸡蛋{i + 10}", origin_village=village)
    assert _queries(client, {"q": "土鸡蛋"}) == with_10
    assert with_10 <= 20


@pytest.mark.django_db
def test_a_page_of_product_hits_loads_price_and_stock_without_photos_or_categories(team):
    """A hit shows its village, price and stock; its photo and categories are a catalogue
    card's, not a hit's. Counting reads the first page's ids too, in one statement (the
    villages the query names looked up inside it); loading that page reads the documents,
    the products (village and class joined) and their stock records."""
    village = VillageFactory(name="向阳村")
    for i in range(25):
        product_in_stock(team=team, title=f"散养土鸡蛋{i}", origin_village=village)
    teach_place_words()  # the villages' names, cached across requests
    with CaptureQueriesContext(connection) as ctx:
        results = SiteSearch().run("土鸡蛋")
        assert results.count() == 25
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        hits = list(results[0:20])
    sql = [q["sql"].lower() for q in ctx.captured_queries]
    assert len(sql) == 3, sql
    assert not any(
        "productimage" in q or "productcategory" in q or "partner_partner" in q for q in sql
    )
    request = RequestFactory().get(URL)
    request.user = AnonymousUser()
    request.strategy = Selector().strategy(request)
    with CaptureQueriesContext(connection) as ctx:
        shown = [
            (
                hit.product.origin_village.name,
                price_per_unit(purchase_info_for_product(request, hit.product).price, hit.product),
                purchase_info_for_product(request, hit.product).availability.is_available_to_buy,
                hit.url,
            )
            for hit in hits
        ]
    assert ctx.captured_queries == []
    assert len(shown) == 20
    assert shown[0][:3] == ("向阳村", "¥1.50 / 枚", True)


def test_pinyin_snippet_of_a_short_text_cuts_it_once():
    """A product's description is shorter than a snippet: the pinyin query's snippet cuts
    it into words once, both to find the spelled word and to mark it."""
    from shop.search.results import Highlighter, ParsedQuery

    cut = []

    class Watching(type(segmenter)):
        def positions(self, text):
            cut.append(text)
            return super().positions(text)

    watched = Watching()
    watched.__dict__["tokenizer"] = segmenter.tokenizer
    text = "来自向阳村的散养土鸡蛋，农户自家养的鸡下的蛋。"
    highlighter = Highlighter(ParsedQuery("jidan", seg=watched), seg=watched)
    cut.clear()
    html = highlighter.snippet(text)
    assert "<mark>鸡蛋</mark>" in html or "<mark>土鸡蛋</mark>" in html
    assert html == Highlighter(ParsedQuery("jidan")).mark(text)
    assert cut == [text]


@pytest.mark.django_db
def test_pinyin_query_marks_titles_and_descriptions_from_their_indexed_words(team, monkeypatch):
    """A page of a pinyin query's hits finds the words the pinyin spells among the words
    each title and description was indexed as: no title is cut into words again, nor a
    short description none of whose words the pinyin spells; one that has such a word is
    cut to find and mark it."""
    plain = "山坡上散养，吃虫子和玉米长大。"
    spelled = "山坡上散养的土鸡下的鸡蛋。"
    for i in range(3):
        product_in_stock(team=team, title=f"散养土鸡蛋{i}号", description=plain)
    product_in_stock(team=team, title="散养土鸡蛋3号", description=spelled)
    results = SiteSearch().run("jidan")
    cut = []
    positions = segmenter.positions
    monkeypatch.setattr(segmenter, "positions", lambda text: cut.append(text) or positions(text))
    hits = list(results[0:20])
    assert sorted(hit.title_html for hit in hits) == [
        f"散养土<mark>鸡蛋</mark>{i}号" for i in range(4)
    ]
    assert sorted(hit.snippet_html for hit in hits) == [
        "山坡上散养的土鸡下的<mark>鸡蛋</mark>。",
        plain,
        plain,
        plain,
    ]
    assert cut == [spelled]
