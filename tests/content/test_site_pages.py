"""Every public page renders in Chinese for a newcomer, with the shop's chrome."""

import pytest
from django.urls import reverse
from wagtail.rich_text import RichText

from content.models import StoryIndexPage, StoryPage


@pytest.fixture
def story(home_page, eggs):
    index = StoryIndexPage.objects.get()
    page = StoryPage(
        title="王大姐的鸡蛋进了医院大厅",
        slug="wang-dajie",
        summary="王大姐家养了六十只土鸡。",
        body=[("paragraph", RichText("<p>每周六，她的鸡蛋跟着工作队的车进城。</p>"))],
    )
    index.add_child(instance=page)
    page.related_products.add(eggs)
    page.save_revision().publish()
    return page


def assert_site_chrome(html):
    assert "521助农小店" in html
    assert 'action="/search/"' in html
    assert "/shop/basket/" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["home", "stories", "story", "catalogue", "category", "product", "basket", "search", "login"],
)
def test_public_page_renders(client, story, eggs, url_name):
    from catalogue.models import Category

    category = Category.add_root(name="鸡蛋", slug="eggs")
    eggs.categories.add(category)
    urls = {
        "home": "/",
        "stories": "/stories/",
        "story": story.url,
        "catalogue": reverse("catalogue:index"),
        "category": category.get_absolute_url(),
        "product": eggs.get_absolute_url(),
        "basket": reverse("basket:summary"),
        "search": reverse("site-search") + "?q=鸡蛋",
        "login": reverse("customer:login"),
    }
    response = client.get(urls[url_name])
    assert response.status_code == 200
    html = response.content.decode()
    assert_site_chrome(html)
    assert '<html lang="zh-hans">' in html


@pytest.mark.django_db
def test_home_shows_this_weeks_produce_and_latest_story(client, story, eggs):
    html = client.get("/").content.decode()
    assert "散养土鸡蛋" in html
    assert "¥1.50 / 枚" in html
    assert story.title in html


@pytest.mark.django_db
def test_story_links_to_the_eggs_it_talks_about(client, story, eggs):
    html = client.get(story.url).content.decode()
    assert eggs.get_absolute_url() in html


@pytest.mark.django_db
def test_checkout_steps_render_for_a_guest_with_a_basket(client, eggs, pickup_point):
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10})
    gateway = client.get(reverse("checkout:index"))
    assert gateway.status_code == 200
    client.post(reverse("checkout:index"), {"username": "guest@example.cn", "options": "anonymous"})
    address = client.get(reverse("checkout:shipping-address"))
    assert address.status_code == 200
    assert "手机号" in address.content.decode()


@pytest.mark.django_db
def test_account_pages_need_login_and_render_for_a_customer(client, customer):
    response = client.get(reverse("customer:summary"))
    assert response.status_code == 302
    client.force_login(customer)
    assert client.get(reverse("customer:order-list")).status_code == 200


@pytest.mark.django_db
def test_shop_root_redirects_once_to_the_catalogue(client):
    response = client.get("/shop/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_wagtail_page_cannot_take_a_shop_slug(home_page):
    from django.core.exceptions import ValidationError

    page = StoryIndexPage(title="商城", slug="shop")
    with pytest.raises(ValidationError):
        home_page.add_child(instance=page)


@pytest.mark.django_db
def test_shop_urls_win_over_wagtail_pages(client, home_page):
    """Even a page that slipped through with a clashing slug cannot shadow the shop."""
    page = StoryIndexPage(title="假商城", slug="shop-clash")
    home_page.add_child(instance=page)
    StoryIndexPage.objects.filter(pk=page.pk).update(slug="shop", url_path="/home/shop/")
    response = client.get("/shop/catalogue/")
    assert response.status_code == 200
    assert "假商城" not in response.content.decode()


@pytest.mark.django_db
def test_home_names_each_teams_next_run_and_its_cutoff(client, home_page, team, pickup_point):
    from django.utils import timezone

    from fulfilment.models import DeliveryRun

    run = DeliveryRun.objects.get(team=team)
    html = client.get("/").content.decode()
    assert "下一趟送货" in html
    assert team.name in html
    assert timezone.localtime(run.cutoff).strftime("%H:%M") in html
    DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.CANCELLED)
    from django.core.cache import cache

    cache.clear()
    assert "下一趟送货" not in client.get("/").content.decode()
