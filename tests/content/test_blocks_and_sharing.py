"""Shop blocks, product ↔ story links, choosers, sharing metadata, feeds, sitemap, posters."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.rich_text import RichText

from content.selectors import stories_for_product
from shop.partner.models import StockRecord
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.content.conftest import make_story, publish_now
from tests.partner.factories import UserFactory


@pytest.mark.django_db
def test_story_shows_shop_blocks_with_consented_household_data_only(
    client, story_with_blocks, eggs, team
):
    html = client.get(story_with_blocks.url).content.decode()
    assert eggs.get_absolute_url() in html
    assert "王大姐家的蛋" in html  # the editor's note on the product card
    assert "王大姐家" in html
    assert "王秀英" not in html and "13900001111" not in html  # private fields never leak
    assert f'href="/shop/teams/{team.slug}/"' in html
    assert 'href="https://example.cn/v/123"' in html and "收蛋的一天" in html
    assert "<iframe" not in html


@pytest.mark.django_db
def test_household_without_name_consent_is_anonymous(client, story_index, team, village):
    shy = HouseholdFactory(team=team, village=village, public_name="张奶奶家", consent_name=False)
    story = make_story(
        story_index, slug="shy", body=[("household", {"household": shy, "text": "养了三十只鸡。"})]
    )
    html = client.get(story.url).content.decode()
    assert "张奶奶家" not in html
    assert "向阳村的一户农户" in html


@pytest.mark.django_db
def test_sold_out_product_card_says_so(client, story_with_blocks, eggs):
    StockRecord.objects.filter(product=eggs).update(num_in_stock=0)
    html = client.get(story_with_blocks.url).content.decode()
    assert "已售罄" in html
    assert reverse("basket:add", kwargs={"pk": eggs.pk}) not in html


@pytest.mark.django_db
def test_deleted_or_hidden_product_leaves_a_note_not_an_error(client, story_index, eggs, team):
    hen = product_in_stock(team=team, title="散养老母鸡")
    story = make_story(
        story_index,
        slug="gone",
        body=[
            ("product", {"product": eggs, "note": ""}),
            ("product_list", {"heading": "本周推荐", "products": [eggs, hen]}),
        ],
    )
    eggs.is_public = False
    eggs.save()
    hen.delete()
    response = client.get(story.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "文中提到的这款产品已下架" in html
    assert "另有 2 款产品已下架" in html


@pytest.mark.django_db
def test_product_page_lists_stories_that_mention_it_in_blocks_or_relations(
    client, story_index, eggs, team
):
    in_block = make_story(
        story_index,
        slug="in-block",
        title="鸡蛋进城记",
        body=[("product_list", {"heading": "", "products": [eggs]})],
    )
    related = make_story(story_index, slug="related", title="医院大厅的周六")
    related.related_products.add(eggs)
    publish_now(related)
    make_story(story_index, slug="other", title="柳河村的水渠")
    draft = make_story(
        story_index,
        slug="draft",
        title="还没发布的故事",
        publish=False,
        body=[("product", {"product": eggs, "note": ""})],
    )
    draft.save_revision()

    assert {s.slug for s in stories_for_product(eggs)} == {"in-block", "related"}
    html = client.get(eggs.get_absolute_url()).content.decode()
    assert in_block.title in html and related.title in html
    assert "柳河村的水渠" not in html and "还没发布的故事" not in html

    # editing the body and republishing updates the link
    in_block.body = [("paragraph", RichText("<p>不再提鸡蛋。</p>"))]
    publish_now(in_block)
    assert {s.slug for s in stories_for_product(eggs)} == {"related"}


@pytest.mark.django_db
def test_chooser_search_finds_products_and_households_in_chinese(client, team, village, eggs):
    product_in_stock(team=team, title="柳河小白菜")
    HouseholdFactory(team=team, village=village, public_name="王大姐家")
    HouseholdFactory(team=team, public_name="刘婶子家")
    editor = UserFactory(username="zhou", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_product"),
        Permission.objects.get(codename="view_household"),
    )
    client.force_login(editor)

    response = client.get("/cms/choose/product/results/", {"q": "鸡蛋"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "散养土鸡蛋" in html and "柳河小白菜" not in html

    html = client.get("/cms/choose/household/results/", {"q": "向阳"}).content.decode()
    assert "王大姐家" in html and "刘婶子家" not in html
    html = client.get("/cms/choose/household/results/", {"q": "大姐"}).content.decode()
    assert "王大姐家" in html and "刘婶子家" not in html


@pytest.mark.django_db
def test_choosers_are_closed_to_buyers(client, customer):
    client.force_login(customer)
    response = client.get("/cms/choose/household/results/", {"q": "王"})
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_story_page_has_share_metadata_and_canonical(client, story_with_blocks):
    html = client.get("/stories/wang-dajie/").content.decode()
    assert '<meta property="og:title" content="王大姐的鸡蛋进了医院大厅">' in html
    assert '<meta property="og:description" content="王大姐家养了六十只土鸡。">' in html
    assert '<meta property="og:url" content="http://testserver/stories/wang-dajie/">' in html
    assert '<meta itemprop="name" content="王大姐的鸡蛋进了医院大厅">' in html
    assert '<link rel="canonical" href="http://testserver/stories/wang-dajie/">' in html


@pytest.mark.django_db
def test_story_poster_has_a_local_qr_code(client, story_with_blocks):
    response = client.get("/stories/wang-dajie/poster/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<path" in html
    assert "http://testserver/stories/wang-dajie/" in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


@pytest.mark.django_db
def test_product_poster(client, eggs):
    response = client.get(reverse("product-poster", kwargs={"pk": eggs.pk}))
    assert response.status_code == 200
    assert "散养土鸡蛋" in response.content.decode()
    assert client.get(reverse("product-poster", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("kind, ns", [("rss", None), ("atom", "{http://www.w3.org/2005/Atom}")])
def test_story_feeds_are_valid_xml_with_the_stories(client, story_index, kind, ns):
    make_story(story_index, slug="one", title="王大姐的鸡蛋")
    make_story(story_index, slug="two", title="柳河村的水渠")
    response = client.get(f"/stories/feed/{kind}/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    if kind == "rss":
        titles = [e.text for e in root.iter("item") for e in e.iter("title")]
        links = [e.text for e in root.iter("link")]
    else:
        titles = [e.find(f"{ns}title").text for e in root.iter(f"{ns}entry")]
        links = [e.get("href") for e in root.iter(f"{ns}link")]
    assert set(titles) == {"王大姐的鸡蛋", "柳河村的水渠"}
    assert "http://testserver/stories/one/" in links


@pytest.mark.django_db
def test_sitemap_lists_pages_and_products(client, story_index, about_page, eggs):
    story = make_story(story_index, slug="one")
    hidden = product_in_stock(title="不公开的产品", is_public=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = {e.text for e in ET.fromstring(response.content).iter(f"{ns}loc")}
    assert "http://localhost/stories/one/" in locs or f"http://testserver{story.url}" in locs
    assert any(loc.endswith("/about/") for loc in locs)
    assert f"http://testserver{eggs.get_absolute_url()}" in locs
    assert not any(str(hidden.pk) in loc and "不公开" in loc for loc in locs)
    assert f"http://testserver{hidden.get_absolute_url()}" not in locs
