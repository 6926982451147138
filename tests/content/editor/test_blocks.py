"""Blocks show what they promise, to readers on a phone and to the editor in the preview."""

import pytest
from django.urls import reverse

from tests.catalogue.factories import HouseholdFactory
from tests.content.conftest import make_story

pytestmark = pytest.mark.django_db


def preview_html(page, mode=""):
    return page.make_preview_request(None, mode).content.decode()


@pytest.fixture
def shy(team, village):
    """A household that agreed to show neither its name, its photo nor a story."""
    return HouseholdFactory(
        team=team, village=village, public_name="张奶奶家", consent_name=False, story=""
    )


def test_spotlight_with_nothing_consented_shows_readers_nothing_and_tells_the_editor(
    client, story_index, shy
):
    story = make_story(
        story_index, slug="shy", body=[("household", {"household": shy, "text": ""})]
    )
    html = client.get(story.url).content.decode()
    assert "household-spotlight" not in html
    assert "一户农户" not in html and "张奶奶家" not in html

    preview = preview_html(story)
    assert "【仅编辑可见】向阳村的张奶奶家没有同意公开照片或介绍" in preview


def test_spotlight_shows_the_consented_story_beside_the_editors_words(
    client, story_index, household
):
    household.story = "六十只土鸡满山坡跑。"
    household.save()
    story = make_story(
        story_index,
        slug="wang",
        body=[("household", {"household": household, "text": "她家的蛋每周六进城。"})],
    )
    html = client.get(story.url).content.decode()
    assert "王大姐家" in html
    assert "她家的蛋每周六进城。" in html and "六十只土鸡满山坡跑。" in html


def test_story_product_cards_fill_a_phone_with_price_unit_next_run_and_add_button(
    client, story_index, eggs, run
):
    story = make_story(
        story_index,
        slug="eggs",
        body=[
            ("product", {"product": eggs, "note": "王大姐家的蛋"}),
            ("product_list", {"heading": "本周的蛋", "products": [eggs]}),
        ],
    )
    html = client.get(story.url).content.decode()
    assert html.count('class="product-grid product-grid--story"') == 2
    assert "product-grid--single" not in html
    assert html.count(reverse("basket:add", kwargs={"pk": eggs.pk})) == 2
    assert "/ 枚" in html or "/ 个" in html or "/ 斤" in html  # price per unit
    cutoff = run.cutoff.astimezone().strftime("%-m月%-d日")
    assert html.count("截止下单") == 2 and cutoff in html


def test_share_card_preview_shows_the_wechat_card(story_index):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="封面", file=get_test_image_file(filename="cover.png"))
    story = make_story(
        story_index, slug="card", cover_image=image, summary="王大姐家养了六十只土鸡。"
    )
    assert ("share", "微信分享卡片") in [(k, str(v)) for k, v in story.preview_modes]
    html = preview_html(story, "share")
    assert "data-share-card" in html and story.title in html and "王大姐家养了六十只土鸡。" in html
    assert ".jpg" in html  # WeChat shows JPEG/PNG share images, not WebP

    bare = make_story(story_index, slug="bare")
    assert "还没有封面图" in preview_html(bare, "share")


def test_admin_preview_opens_at_phone_width(editor_client, spotlight_story):
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[spotlight_story.pk]))
    html = response.content.decode()
    assert spotlight_story.default_preview_size == "phone"
    assert '"device_width": 390' in html or "390" in html
    assert "按手机屏幕宽度预览" in html
