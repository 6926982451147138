"""Choosers find shop objects the way buyers find them on the site: Chinese, pinyin, initials."""

import pytest

from content import choosers
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock

pytestmark = pytest.mark.django_db


def results(client, kind, q):
    response = client.get(f"/cms/choose/{kind}/results/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cabbage(team):
    return product_in_stock(team=team, title="柳河小白菜")


def test_product_chooser_finds_eggs_by_chinese_pinyin_and_initials(
    editor_client, eggs, cabbage, village
):
    eggs.origin_village = village
    eggs.save()
    for q in ("鸡蛋", "jidan", "jd", "JiDan"):
        html = results(editor_client, "product", q)
        assert "散养土鸡蛋" in html, q
        assert "柳河小白菜" not in html, q
    assert "柳河小白菜" in results(editor_client, "product", "xiaobaicai")
    # the village shows beside the product, so two 鸡蛋 can be told apart
    assert "向阳村" in results(editor_client, "product", "jd")


def test_household_chooser_finds_by_pinyin_and_shows_village_and_photo_consent(
    editor_client, team, village, household
):
    other_village = VillageFactory(name="柳河村", slug="liuhe")
    HouseholdFactory(team=team, village=other_village, public_name="刘婶子家", produces="小白菜")
    for q in ("王大姐", "wangdajie", "wdj", "xiangyang"):
        html = results(editor_client, "household", q)
        assert "王大姐家" in html and "刘婶子家" not in html, q
    html = results(editor_client, "household", "lsz")
    assert "刘婶子家" in html and "柳河村" in html and "王大姐家" not in html
    # the shared fixture household has a photo-consent of False: the editor is told
    assert "没有照片" in html or "未同意公开照片" in html


def test_team_chooser_finds_by_pinyin_and_shows_its_villages(
    editor_client, team, other_team, village
):
    village.teams.add(team)
    other_team.institution = "省水利厅"
    other_team.save()
    html = results(editor_client, "team", "rmyy")  # 县人民医院…
    assert team.name in html and other_team.name not in html
    assert "向阳村" in html
    html = results(editor_client, "team", "shuili")  # 省水利厅…
    assert other_team.name in html and team.name not in html


def test_pinyin_search_does_not_match_everything(editor_client, eggs, cabbage):
    html = results(editor_client, "product", "zzzq")
    assert "散养土鸡蛋" not in html and "柳河小白菜" not in html


def test_product_chooser_lists_every_pinyin_match_past_its_first_read(
    editor_client, eggs, team, monkeypatch
):
    """More matches than the first statement reads: a second one reads them all."""
    product_in_stock(team=team, title="绿壳鸡蛋")
    monkeypatch.setattr(choosers, "CHOOSER_MATCHES", 1)
    html = results(editor_client, "product", "jidan")
    assert "散养土鸡蛋" in html and "绿壳鸡蛋" in html
