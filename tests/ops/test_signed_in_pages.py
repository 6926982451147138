"""A signed-in buyer's pages: what each costs in queries, from the outside. Every page a
signed-in buyer sees used to count their unread notifications, for a badge the shop's
header never shows (only Oscar's own account menu did)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.checkout.test_checkout import add_to_basket
from tests.ops.page_cache_kit import (  # noqa: F401 (fixtures)
    how,
    html,
    page_cache_on,
)
from tests.partner.factories import UserFactory, team_member


def _signed_in_with_eggs(eggs):
    buyer = Client()
    buyer.force_login(UserFactory(username="mei", email="mei@example.cn"))
    add_to_basket(buyer, eggs, 3)
    buyer.get(reverse("basket:summary"))  # reads the "added to basket" message
    return buyer


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "product", "basket"])
def test_no_page_of_a_signed_in_buyer_counts_notifications(pages, eggs, name):
    url = reverse("basket:summary") if name == "basket" else pages[name]
    Client().get(url)
    buyer = _signed_in_with_eggs(eggs)
    buyer.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = buyer.get(url)
    assert page.status_code == 200
    assert 'class="basket-count" data-basket-count>3<' in html(page)
    assert not [q["sql"] for q in queries if "communication_notification" in q["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix, desk, mine", [("", "工作台", "我的"), ("/en", "Dashboard", "Account")]
)
def test_a_stored_page_shows_the_desk_link_to_a_team_member_only(
    pages, eggs, team, prefix, desk, mine
):
    url = prefix + pages["product"]
    member, buyer = Client(), Client()
    member.force_login(team_member(team))
    buyer.force_login(UserFactory(username="mei", email="mei@example.cn"))
    assert how(Client().get(url)) == "miss"
    for client, sees_desk in ((member, True), (buyer, False), (member, True)):
        page = client.get(url)
        assert how(page) == "hit-personal"
        assert f">{mine}</a>" in html(page)
        assert (f">{desk}</a>" in html(page)) is sees_desk
        assert "登录</a>" not in html(page) and ">Log in</a>" not in html(page)
