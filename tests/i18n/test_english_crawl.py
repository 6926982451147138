"""A buyer on the English site stays on it: every page a buyer reaches under /en/ links
only to /en/ pages (static files, media and the admin excepted, and the one link back to
the Chinese site), and its headings, buttons, prices and units are in English. Chinese
may show only in proper names that have no English: products, households, villages and
work teams."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from catalogue.models import Category, Household, Village
from shop.partner.models import Partner
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u3000-\u303f]")
OUTSIDE_THE_LANGUAGE = ("/static/", "/media/", "/cms/", "/django-admin/")
# What a buyer reads to decide: headings, buttons, prices and units, the cart and the tabs.
SPOKEN = (
    "h1, h2, h3, h4, button, .btn, label, .product-card__price, .product-page__price,"
    " .product-card__run, .product-page__stock, .product-facts dt, .basket-line__meta,"
    " .basket-line__unit, .basket-totals, .site-nav, .tabbar, .hero__figures, .run-choice__fee"
)


def en(name, **kwargs):
    with translation.override("zh-hans"):
        return "/en" + reverse(name, kwargs=kwargs or None)


@pytest.fixture
def english_shop(home_page, team, run, pickup_point):
    """The demo's shape in small: an English hero and category, eggs sold by the box on
    the next run, a story and the pickup page with English titles."""
    from wagtail.rich_text import RichText

    from content.models import StandardPage, StoryIndexPage, StoryPage

    home_page.hero_title_en = "Food you can trust"
    home_page.hero_text_en = "Village work teams bring their households' produce to town."
    home_page.save_revision().publish()
    eggs_category = Category.add_root(name="鸡蛋", slug="eggs", name_en="Eggs", is_public=True)
    village = VillageFactory(slug="xiangyang", name="向阳村")
    household = HouseholdFactory(
        team=team, village=village, public_name="王大姐家", consent_name=True
    )
    box = product_in_stock(team=team, title="笨鸡蛋 30 枚礼盒", price=48, stock=20, unit="xiang")
    box.categories.add(eggs_category)
    box.origin_village = village
    box.save()
    box.households.add(household)
    index = StoryIndexPage.objects.get()
    index.title_en = "Stories"
    index.save_revision().publish()
    story = StoryPage(
        title="王大姐的鸡蛋进了医院大厅",
        title_en="Wang Dajie's eggs reach the hospital lobby",
        slug="wang-dajie-eggs",
        summary="王大姐家的蛋",
        date=datetime.date(2026, 10, 12),
        body=[("paragraph", RichText("<p>每周六进城。</p>"))],
    )
    index.add_child(instance=story)
    story.related_products.set([box])
    story.save_revision().publish()
    pickup = StandardPage(title="自提怎么取", title_en="How pickup works", slug="how-pickup-works")
    home_page.add_child(instance=pickup)
    pickup.save_revision().publish()
    return {"box": box, "category": eggs_category, "story": story, "pickup": pickup}


def proper_names():
    """Names the English site may print in Chinese: they have no English."""
    names = set()
    for model, field in (
        (Village, "name"),
        (Household, "public_name"),
        (Partner, "name"),
    ):
        names |= set(model.objects.values_list(field, flat=True))
    from catalogue.models import Product

    names |= set(Product.objects.values_list("title", flat=True))
    names |= set(Category.objects.filter(name_en="").values_list("name", flat=True))
    names.add("中文")  # the link back to the Chinese site
    return sorted(names, key=len, reverse=True)


def links_leaving_english(soup):
    leaving = []
    for tag, attribute in (("a", "href"), ("form", "action")):
        for element in soup.find_all(tag):
            target = element.get(attribute)
            if target is None or element.get("hreflang") == "zh-hans":
                continue
            parts = urlsplit(target)
            if parts.scheme not in ("", "http", "https") or (
                parts.netloc and parts.netloc not in ("testserver", "localhost")
            ):
                continue  # a map, a phone number, another site
            path = parts.path
            if not path and tag == "form":
                continue  # posts back to the page itself
            if not path or path.startswith(OUTSIDE_THE_LANGUAGE):
                continue
            if not path.startswith("/en/"):
                leaving.append(f"<{tag} {attribute}={target}>")
    return leaving


def chinese_spoken(soup, names):
    found = []
    for element in soup.select(SPOKEN):
        text = " ".join(element.get_text(" ").split())
        text += " " + " ".join(
            element.get(attribute, "") for attribute in ("value", "aria-label", "title")
        )
        for name in names:
            text = text.replace(name, "")
        if CJK.search(text):
            found.append(text.strip())
    return found


@pytest.mark.django_db
def test_every_buyer_page_under_en_stays_english(client, english_shop):
    box = english_shop["box"]
    with translation.override("zh-hans"):
        pages = {
            "home": "/",
            "catalogue": reverse("catalogue:index"),
            "category": english_shop["category"].get_absolute_url(),
            "product": box.get_absolute_url(),
            "search": reverse("site-search") + "?q=eggs",
            "pickup page": english_shop["pickup"].url,
            "stories": english_shop["story"].get_parent().url,
            "story": english_shop["story"].url,
        }
    pages = {name: "/en" + url for name, url in pages.items()}
    client.post(en("basket:add", pk=box.pk), {"quantity": 2})
    pages["basket"] = en("basket:summary")
    pages["checkout start"] = en("checkout:index")
    names = proper_names()

    seen = {}
    for name, url in pages.items():
        assert url.startswith("/en/"), (name, url)
        response = client.get(url, follow=True)
        assert response.status_code == 200, (name, url)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        assert urlsplit(final).path.startswith("/en/"), (name, final)
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.html["lang"] == "en", name
        seen[name] = (links_leaving_english(soup), chinese_spoken(soup, names))

    assert {name: found[0] for name, found in seen.items() if found[0]} == {}
    assert {name: found[1] for name, found in seen.items() if found[1]} == {}


@pytest.mark.django_db
def test_english_pages_name_categories_units_and_the_hero_in_english(client, english_shop):
    home = client.get("/en/").content.decode()
    assert "Food you can trust" in home and "吃得放心" not in home
    assert ">Eggs<" in home  # the header's category link
    figures = re.search(r'data-testid="hero-figures">([^<]*)<', home).group(1)
    teams, villages = Partner.objects.count(), Village.objects.count()

    def counted(n, word):
        return f"{n} {word}" + ("" if n == 1 else "s")

    assert figures == " · ".join(
        [counted(teams, "work team"), counted(villages, "village"), counted(1, "household")]
    )

    with translation.override("zh-hans"):
        url = "/en" + english_shop["box"].get_absolute_url()
    html = client.get(url).content.decode()
    assert "¥48.00 / box" in html
    assert "20 boxes left for the next delivery" in html

    chinese = client.get("/").content.decode()
    assert "吃得放心" in chinese and ">鸡蛋<" in chinese
    assert f"{teams} 支工作队 · {villages} 个村 · 1 户农户" in chinese
