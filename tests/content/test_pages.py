"""Page types, their parent/child rules, scheduling, workflow and English chrome."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Workflow

from content.models import (
    HomePage,
    ImpactPage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
    TwoPersonReviewTask,
)
from tests.content.conftest import make_story
from tests.partner.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "child, parent, allowed",
    [
        (StoryIndexPage, HomePage, True),
        (NewsIndexPage, HomePage, True),
        (StandardPage, HomePage, True),
        (StandardPage, StandardPage, True),
        (ImpactPage, HomePage, True),
        (StoryPage, StoryIndexPage, True),
        (NewsPage, NewsIndexPage, True),
        (StoryPage, HomePage, False),
        (StoryPage, NewsIndexPage, False),
        (NewsPage, StoryIndexPage, False),
        (HomePage, HomePage, False),
        (StoryIndexPage, StandardPage, False),
        (ImpactPage, StandardPage, False),
    ],
)
def test_page_creation_rules(child, parent, allowed):
    fits = child in parent.allowed_subpage_models() and parent in child.allowed_parent_page_models()
    assert fits is allowed


@pytest.mark.django_db
def test_only_one_impact_page(impact_page, home_page):
    assert not ImpactPage.can_create_at(home_page)


@pytest.mark.django_db
def test_standard_news_and_impact_pages_render(client, about_page, news_index, impact_page):
    news = NewsPage(title="桃园村甜瓜下周上市", slug="melon", summary="七月甜瓜季到了。", body=[])
    news_index.add_child(instance=news)
    news.save_revision().publish()
    for url, text in [
        (about_page.url, "关于我们"),
        (news_index.url, "桃园村甜瓜下周上市"),
        (news.url, "七月甜瓜季到了。"),
        (impact_page.url, "帮扶成效"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode()


@pytest.mark.django_db
def test_story_scheduled_for_the_future_is_not_served_until_go_live(client, story_index):
    story = make_story(story_index, slug="tomorrow", publish=False)
    story.go_live_at = timezone.now() + datetime.timedelta(days=1)
    story.save_revision().publish()
    story.refresh_from_db()
    assert not story.live
    assert client.get("/stories/tomorrow/").status_code == 404
    assert "tomorrow" not in client.get(story_index.url).content.decode()

    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    assert client.get("/stories/tomorrow/").status_code == 200


@pytest.mark.django_db
def test_expired_story_is_taken_down(client, story_index):
    story = make_story(story_index, slug="old-news")
    assert client.get(story.url).status_code == 200
    StoryPage.objects.filter(pk=story.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("publish_scheduled")
    assert client.get("/stories/old-news/").status_code == 404


@pytest.mark.django_db
def test_drafts_keep_the_live_version_and_keep_revisions(client, story_index):
    story = make_story(story_index, slug="draft-test", title="第一版标题")
    story.title = "还在修改的标题"
    story.save_revision()
    html = client.get(story.url).content.decode()
    assert "第一版标题" in html
    assert "还在修改的标题" not in html
    assert story.revisions.count() == 2


@pytest.mark.django_db
def test_two_person_review_workflow_covers_the_home_page_tree(home_page):
    workflow = Workflow.objects.get(name="两人审核")
    assert home_page.get_workflow() == workflow
    story_index = StoryIndexPage.objects.get()
    assert story_index.get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert isinstance(task, TwoPersonReviewTask)
    assert task.groups.filter(name="Moderators").exists()


@pytest.mark.django_db
def test_the_editor_who_submits_cannot_approve_but_a_second_editor_can(story_index):
    moderators = Group.objects.get(name="Moderators")
    author = UserFactory(username="zhou", is_staff=True)
    second = UserFactory(username="wu", is_staff=True)
    for user in (author, second):
        user.groups.add(moderators)
    story = make_story(story_index, slug="review-me", publish=False)
    revision = story.save_revision(user=author)
    workflow = story.get_workflow()
    workflow.start(story, author)
    story.refresh_from_db()
    task = workflow.tasks.get().specific

    assert task.get_actions(story, author) == []
    assert [a[0] for a in task.get_actions(story, second)] == ["reject", "approve", "approve"]
    assert not task.get_task_states_user_can_moderate(author).exists()
    assert task.get_task_states_user_can_moderate(second).exists()

    state = story.current_workflow_task_state
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        task.on_action(state, author, "approve")
    task.on_action(state.specific, second, "approve")
    story.refresh_from_db()
    assert story.live
    assert story.live_revision_id is not None
    assert revision.pk


@pytest.mark.django_db
def test_english_url_shows_the_chinese_story_with_english_chrome(client, story_with_blocks):
    response = client.get("/en/stories/wang-dajie/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert story_with_blocks.title in html
    # links inside the page stay in English
    assert 'href="/en/shop/' in html
    assert 'hreflang="zh-hans" href="http://testserver/stories/wang-dajie/"' in html
    assert '<link rel="canonical" href="http://testserver/en/stories/wang-dajie/">' in html


@pytest.mark.django_db
def test_page_that_is_not_a_root_cannot_be_placed_under_wagtail_root():
    root = Page.get_first_root_node()
    assert not StoryPage.can_create_at(root)
    assert not StandardPage.can_create_at(root)
