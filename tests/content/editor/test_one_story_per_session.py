"""One editing session, one story: the create form posted again after the draft exists.

Wagtail's autosave posts the create form in the background and, once the answer
comes back, points the form at the new draft's edit address. A click on 保存计划
(or 保存草稿, or 发布) made before that answer arrives still posts to the create
address; each such post used to make another story (the slug moved to ``-2``).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.rich_text import RichText

from content.models import StoryPage
from tests.content.editor.admin_post import page_form_data

pytestmark = pytest.mark.django_db

TITLE = "王大姐的鸡蛋进城了"


def add_url(story_index):
    return reverse("wagtailadmin_pages:add", args=["content", "storypage", story_index.pk])


def opened_form(editor_client, story_index, editor):
    """What the create form the editor opened posts (its editing key read from the page)."""
    html = editor_client.get(add_url(story_index)).content.decode()
    match = re.search(r'name="editing_key" value="([0-9a-f]{32})"', html)
    assert match, "the create form carries the key of this editing session"
    page = StoryPage(
        title=TITLE,
        slug="wang-dajie-eggs",
        summary="王大姐家养了六十只土鸡。",
        date=datetime.date(2026, 10, 12),
        body=[("paragraph", RichText("<p>每周六，她的鸡蛋跟着工作队的车进城。</p>"))],
    )
    data = page_form_data(page, story_index, editor)
    data["editing_key"] = match.group(1)
    return data


def autosave(editor_client, story_index, data):
    response = editor_client.post(add_url(story_index), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["success"] is True, response.content
    return response.json()


def test_saving_a_schedule_after_the_autosave_updates_the_same_story(
    editor_client, editor, story_index
):
    data = opened_form(editor_client, story_index, editor)
    first = autosave(editor_client, story_index, data)
    draft = StoryPage.objects.get(title=TITLE)
    assert first["pk"] == draft.pk

    # 保存计划 clicked while the autosave's answer was on its way: the form still
    # posts to the create address, now with the go-live time.
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    scheduled = dict(data, go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    response = editor_client.post(add_url(story_index), scheduled)

    assert StoryPage.objects.filter(title=TITLE).count() == 1
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.slug == "wang-dajie-eggs"
    latest = draft.get_latest_revision_as_object()
    assert latest.go_live_at is not None
    assert timezone.localtime(latest.go_live_at).date() == go_live.date()

    # ... and the editor, on the edit page, publishes: it waits for its time.
    publish = dict(scheduled, **{"action-publish": "action-publish"})
    editor_client.post(reverse("wagtailadmin_pages:edit", args=[draft.pk]), publish)
    draft.refresh_from_db()
    assert StoryPage.objects.filter(title=TITLE).count() == 1
    assert not draft.live and draft.scheduled_revision is not None


def test_publishing_from_the_stale_create_form_publishes_the_autosaved_story(
    editor_client, editor, story_index
):
    data = opened_form(editor_client, story_index, editor)
    autosave(editor_client, story_index, data)
    editor_client.post(add_url(story_index), dict(data, **{"action-publish": "action-publish"}))

    story = StoryPage.objects.get(title=TITLE)  # one, not two
    assert story.live


def test_a_second_autosave_to_the_create_address_saves_the_same_story(
    editor_client, editor, story_index
):
    data = opened_form(editor_client, story_index, editor)
    first = autosave(editor_client, story_index, data)
    again = autosave(editor_client, story_index, dict(data, summary="改过的摘要。"))

    assert again["pk"] == first["pk"]
    assert again["url"] == reverse("wagtailadmin_pages:edit", args=[first["pk"]])
    story = StoryPage.objects.get(title=TITLE)
    assert story.get_latest_revision_as_object().summary == "改过的摘要。"


def test_the_slug_an_autosave_moved_is_kept_by_the_next_post(editor_client, editor, story_index):
    from tests.content.conftest import make_story

    older = make_story(story_index, slug="wang-dajie-eggs", title="去年的故事")
    data = opened_form(editor_client, story_index, editor)
    first = autosave(editor_client, story_index, data)
    assert first["field_updates"]["slug"] == "wang-dajie-eggs-2"

    # The save click went out before the autosave's answer changed the slug field.
    response = editor_client.post(add_url(story_index), data, follow=True)
    assert response.status_code == 200
    assert "已被同一栏目下的另一个页面使用" not in response.content.decode()
    story = StoryPage.objects.exclude(pk=older.pk).get(title=TITLE)
    assert story.slug == "wang-dajie-eggs-2"


def test_a_new_editing_session_with_the_same_title_is_a_new_story(
    editor_client, editor, story_index
):
    autosave(editor_client, story_index, opened_form(editor_client, story_index, editor))
    autosave(editor_client, story_index, opened_form(editor_client, story_index, editor))

    slugs = sorted(StoryPage.objects.filter(title=TITLE).values_list("slug", flat=True))
    assert slugs == ["wang-dajie-eggs", "wang-dajie-eggs-2"]


def test_another_editor_cannot_post_into_someone_elses_session(
    client, editor_client, editor, story_index
):
    from tests.partner.factories import UserFactory

    data = opened_form(editor_client, story_index, editor)
    autosave(editor_client, story_index, data)
    mine = StoryPage.objects.get(title=TITLE)

    other = UserFactory(username="li", email="li@example.cn")
    other.groups.add(*editor.groups.all())
    client.logout()
    client.post("/cms/login/", {"username": other.username, "password": "pass-1234"})
    client.post(add_url(story_index), dict(data, title="别人的故事"))

    mine.refresh_from_db()
    assert mine.get_latest_revision_as_object().title == TITLE
    assert StoryPage.objects.filter(title="别人的故事").exists()
