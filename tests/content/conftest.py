"""Fixtures for content tests: pages under the shared ``home_page`` and stories with shop blocks."""

import datetime

import pytest
from django.test import TestCase
from wagtail.rich_text import RichText

from content.models import ImpactPage, NewsIndexPage, StandardPage, StoryIndexPage, StoryPage
from tests.catalogue.factories import HouseholdFactory, VillageFactory


@pytest.fixture
def story_index(home_page):
    return StoryIndexPage.objects.get()


@pytest.fixture
def village(db):
    return VillageFactory(name="向阳村", slug="xiangyang")


@pytest.fixture
def household(team, village):
    return HouseholdFactory(
        team=team,
        village=village,
        public_name="王大姐家",
        real_name="王秀英",
        phone="13900001111",
        consent_name=True,
        consent_photo=False,
    )


def make_story(
    index, title="王大姐的鸡蛋进了医院大厅", slug=None, body=None, date=None, publish=True, **fields
):
    story = StoryPage(
        title=title,
        slug=slug or f"story-{StoryPage.objects.count() + 1}",
        summary=fields.pop("summary", "王大姐家养了六十只土鸡。"),
        date=date or datetime.date(2026, 10, 12),
        body=body
        if body is not None
        else [("paragraph", RichText("<p>每周六，她的鸡蛋跟着工作队的车进城。</p>"))],
        **fields,
    )
    index.add_child(instance=story)
    if publish:
        publish_now(story)
    return story


def publish_now(page):
    """Publish and run what the worker does after the commit (search, product mentions)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        page.save_revision().publish()


@pytest.fixture
def story_with_blocks(story_index, eggs, household, team, village):
    return make_story(
        story_index,
        slug="wang-dajie",
        team=team,
        village=village,
        body=[
            ("paragraph", RichText("<p>每周六，她的鸡蛋跟着工作队的车进城。</p>")),
            ("product", {"product": eggs, "note": "王大姐家的蛋"}),
            ("household", {"household": household, "text": ""}),
            ("team", {"team": team}),
            (
                "live_figure",
                {"metric": "income", "team": None, "village": village, "year": None, "label": ""},
            ),
            ("video", {"url": "https://example.cn/v/123", "title": "收蛋的一天", "poster": None}),
        ],
    )


@pytest.fixture
def impact_page(home_page):
    page = ImpactPage(title="帮扶成效", slug="impact")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def about_page(home_page):
    page = StandardPage(title="关于我们", slug="about", intro="八支驻村工作队的联合小店。")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def news_index(home_page):
    page = NewsIndexPage(title="新闻", slug="news")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page
