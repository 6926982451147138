import pytest


@pytest.mark.django_db
def test_story_with_shop_blocks_renders(client, story_with_blocks, eggs):
    response = client.get(story_with_blocks.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert eggs.get_absolute_url() in html
    assert "王大姐家" in html
    assert "王秀英" not in html
    assert "13900001111" not in html
    assert "收蛋的一天" in html
    assert "<iframe" not in html
