"""Starting a story again after the admin autosaved the first try: no English, no dead end."""

import datetime

import pytest
from django.urls import reverse
from wagtail.rich_text import RichText

from content.models import StoryPage
from tests.content.editor.admin_post import page_form_data

pytestmark = pytest.mark.django_db


def new_story_data(story_index, editor, title="王大姐的鸡蛋进城了", slug="wang-dajie-eggs"):
    page = StoryPage(
        title=title,
        slug=slug,
        summary="王大姐家养了六十只土鸡。",
        date=datetime.date(2026, 10, 12),
        body=[("paragraph", RichText("<p>每周六，她的鸡蛋跟着工作队的车进城。</p>"))],
    )
    return page_form_data(page, story_index, editor)


def add_url(story_index):
    return reverse("wagtailadmin_pages:add", args=["content", "storypage", story_index.pk])


def test_starting_a_story_again_after_an_autosave_takes_the_next_slug(
    editor_client, editor, story_index
):
    # The admin's autosave posts the half-written story in the background (JSON).
    autosave = editor_client.post(
        add_url(story_index),
        new_story_data(story_index, editor),
        HTTP_ACCEPT="application/json",
    )
    assert autosave.status_code == 200 and autosave.json()["success"] is True
    draft = StoryPage.objects.get(slug="wang-dajie-eggs")
    assert not draft.live

    # The editor opens "add story" again and writes the same title.
    response = editor_client.post(
        add_url(story_index), new_story_data(story_index, editor), follow=True
    )
    html = response.content.decode()
    assert "already in use" not in html
    second = StoryPage.objects.exclude(pk=draft.pk).get(title="王大姐的鸡蛋进城了")
    assert second.slug == "wang-dajie-eggs-2"
    assert "网址名“wang-dajie-eggs”已被同一栏目下的另一个页面" in html
    assert "这篇改用“wang-dajie-eggs-2”" in html


def test_an_autosave_that_moved_the_slug_updates_the_open_form(editor_client, editor, story_index):
    editor_client.post(
        add_url(story_index), new_story_data(story_index, editor), HTTP_ACCEPT="application/json"
    )
    again = editor_client.post(
        add_url(story_index), new_story_data(story_index, editor), HTTP_ACCEPT="application/json"
    )
    assert again.json()["field_updates"]["slug"] == "wang-dajie-eggs-2"


def test_renaming_a_story_to_a_taken_slug_is_refused_in_chinese(editor_client, editor, story_index):
    from tests.content.conftest import make_story

    make_story(story_index, slug="taken")
    story = make_story(story_index, slug="mine", title="柳河村的水渠")
    data = page_form_data(story, story_index, editor, slug="taken")
    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[story.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "网址名“taken”已被同一栏目下的另一个页面使用" in html
    assert "already in use" not in html
    story.refresh_from_db()
    assert story.slug == "mine"
