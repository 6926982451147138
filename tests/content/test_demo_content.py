"""The demo shows every content feature: shop blocks in stories, news, simple pages, impact."""

import pytest
from django.core.management import call_command

from content.models import ImpactPage, NewsPage, StandardPage, StoryPage


@pytest.mark.django_db
def test_demo_content_pages_render_and_load_twice(client):
    call_command("load_demo")
    call_command("load_demo")
    assert NewsPage.objects.live().count() == 2
    assert set(StandardPage.objects.values_list("slug", flat=True)) == {
        "about",
        "how-pickup-works",
        "faq",
    }
    assert ImpactPage.objects.count() == 1

    story = StoryPage.objects.get(slug="wang-dajie-eggs")
    kinds = {block.block_type for block in story.body}
    assert {"household", "product", "live_figure"} <= kinds
    assert set(story.tags.names()) == {"鸡蛋", "医院自提点"}

    html = client.get(story.url).content.decode()
    assert "王大姐家" in html and "live-figure" in html
    for url in [
        "/",
        "/news/",
        "/about/",
        "/how-pickup-works/",
        "/faq/",
        "/impact/",
        "/stories/?tag=鸡蛋",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "自提怎么取" in client.get("/how-pickup-works/").content.decode()
    assert "<details" in client.get("/faq/").content.decode()
