"""The editor's desk: an editor as the demo makes one, logged into /cms/ in Chinese."""

import pytest
from django.contrib.auth.models import Group

from tests.content.conftest import household, make_story, story_index, village  # noqa: F401
from tests.partner.factories import UserFactory


@pytest.fixture
def editor(home_page):
    """Like the demo's editor: the 编辑 role plus Wagtail's Editors and Moderators groups."""
    from shop.desk import roles

    groups = roles.setup_roles()
    user = UserFactory(username="zhou", email="editor@example.cn", first_name="周")
    user.groups.add(groups[roles.EDITOR], *Group.objects.filter(name__in=["Editors", "Moderators"]))
    return user


@pytest.fixture
def editor_client(client, editor):
    """Logged in through the admin's own login form, in the default language (zh-hans)."""
    response = client.post("/cms/login/", {"username": editor.username, "password": "pass-1234"})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def spotlight_story(story_index, eggs, household):  # noqa: F811
    return make_story(
        story_index,
        slug="wang-dajie",
        body=[
            ("product_list", {"heading": "本周的蛋", "products": [eggs]}),
            ("household", {"household": household, "text": ""}),
        ],
    )
