"""Chinese by default with no prefix; English under /en/; the header switches between them."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_unprefixed_pages_are_chinese_even_for_an_english_browser(client, home_page):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "搜索" in html


@pytest.mark.django_db
def test_english_pages_live_under_en_and_link_back(client, home_page, eggs):
    response = client.get("/en" + reverse("catalogue:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'href="/shop/catalogue/"' in html  # the 中文 link points at the same page


@pytest.mark.django_db
def test_header_links_to_the_same_page_in_english(client, home_page, eggs):
    html = client.get(eggs.get_absolute_url()).content.decode()
    assert f'href="/en{eggs.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_oscar_messages_follow_the_language(client, eggs):
    zh = client.get(reverse("basket:summary")).content.decode()
    en = client.get("/en" + reverse("basket:summary")).content.decode()
    assert "购物车" in zh
    assert "basket" in en.lower()
