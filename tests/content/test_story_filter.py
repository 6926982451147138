"""The story index's filters offer what its live stories have, and filter by it."""

import datetime
import re

import pytest

from tests.content.conftest import make_story


def options(html, name):
    select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)


@pytest.mark.django_db
def test_the_filters_offer_the_live_stories_tags_teams_and_years_once_each(
    client, story_index, team, village
):
    eggs = make_story(story_index, slug="eggs", team=team, date=datetime.date(2026, 3, 1))
    hens = make_story(story_index, slug="hens", village=village, date=datetime.date(2025, 5, 1))
    draft = make_story(story_index, slug="draft", publish=False, live=False)
    for story, tags in [(eggs, ["鸡蛋", "医院自提点"]), (hens, ["鸡蛋"]), (draft, ["草稿"])]:
        story.tags.add(*tags)
        if story.live:
            story.save_revision().publish()
        else:
            story.save()

    html = client.get("/stories/").content.decode()

    assert sorted(options(html, "tag"), key=lambda o: o[1]) == options(html, "tag")
    assert {name for _slug, name in options(html, "tag")} == {"鸡蛋", "医院自提点"}
    assert len(options(html, "tag")) == 2
    assert options(html, "team") == [(team.slug, team.name)]
    assert options(html, "village") == [(village.slug, village.name)]
    assert options(html, "year") == [("2026", "2026"), ("2025", "2025")]

    slug = dict((name, slug) for slug, name in options(html, "tag"))["医院自提点"]
    shown = client.get("/stories/", {"tag": slug}).content.decode()
    assert eggs.title in shown and f'href="{hens.url}"' not in shown


@pytest.mark.django_db
def test_a_bad_year_says_so_in_chinese_and_leaves_the_list_whole(client, story_index):
    story = make_story(story_index, slug="eggs")

    html = client.get("/stories/", {"year": "去年"}).content.decode()

    assert "年份要写成四位数字" in html
    assert f'href="{story.url}"' in html
