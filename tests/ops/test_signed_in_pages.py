"""A signed-in buyer's pages: what each costs in queries, from the outside. Every page a
signed-in buyer sees used to count their unread notifications, for a badge the shop's
header never shows (only Oscar's own account menu did)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class

from shop.desk import roles
from tests.checkout.test_checkout import add_to_basket
from tests.ops.page_cache_kit import (  # noqa: F401 (fixtures)
    IN_EACH_LANGUAGE,
    how,
    html,
    page_cache_on,
)
from tests.partner.factories import UserFactory, team_member
from tests.security.test_lockout import shop_login

Selector = get_class("partner.strategy", "Selector")


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
@IN_EACH_LANGUAGE
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


def _tables(queries):
    return [q["sql"] for q in queries]


@pytest.mark.django_db
def test_a_stored_page_asks_a_signed_in_buyer_for_herself_with_the_desk_rule_and_the_count(
    pages, eggs
):
    url = pages["product"]
    Client().get(url)
    buyer = _signed_in_with_eggs(eggs)
    buyer.get(url)  # the stock line (a live part) is read once, then kept
    with CaptureQueriesContext(connection) as queries:
        page = buyer.get(url)
    assert how(page) == "hit-personal"
    assert 'class="basket-count" data-basket-count>3<' in html(page)
    assert 'data-basket-count class="tabbar__count">3<' in html(page)
    sql = _tables(queries)
    basket = [q for q in sql if "basket_" in q]
    permission = [q for q in sql if "auth_permission" in q]
    assert len(basket) == 1, basket  # the count, not the basket and then its lines
    # The desk rule, not every permission held, and asked with the user herself.
    assert len(permission) == 1 and 'FROM "auth_user"' in permission[0], permission
    # The session (in the database without Redis), the user with the rule, the count.
    assert len(sql) <= 3, sql


@pytest.mark.django_db
def test_a_session_signed_in_with_oscars_own_backend_stays_signed_in(pages, team):
    """Sessions from before the shop's backend name Oscar's: their buyers keep their
    pages, and a team member her 工作台 (asked on its own for her)."""
    url = pages["product"]
    member, buyer = Client(), Client()
    oscars = "oscar.apps.customer.auth_backends.EmailBackend"
    member.force_login(team_member(team), backend=oscars)
    buyer.force_login(UserFactory(username="mei", email="mei@example.cn"), backend=oscars)
    assert how(Client().get(url)) == "miss"
    for client, sees_desk in ((member, True), (buyer, False)):
        page = client.get(url)
        assert how(page) == "hit-personal"
        assert ">我的</a>" in html(page)
        assert (">工作台</a>" in html(page)) is sees_desk


@pytest.mark.django_db
def test_the_count_on_a_stored_page_follows_a_signed_in_buyers_basket(pages, eggs):
    url = pages["home"]
    Client().get(url)
    buyer = _signed_in_with_eggs(eggs)
    assert 'class="basket-count" data-basket-count>3<' in html(buyer.get(url))
    add_to_basket(buyer, eggs, 2)
    buyer.get(reverse("basket:summary"))
    page = buyer.get(url)
    assert how(page) == "hit-personal"
    assert 'class="basket-count" data-basket-count>5<' in html(page)
    line = buyer.get(reverse("basket:summary")).context["basket"].all_lines()[0]
    buyer.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": line.id,
            "form-0-quantity": "0",
        },
    )
    assert 'class="basket-count" data-basket-count>0<' in html(buyer.get(url))


@pytest.mark.django_db
def test_a_signed_in_buyer_without_a_basket_sees_0_and_no_basket_is_made_for_her(pages):
    Basket = apps.get_model("basket", "Basket")
    url = pages["home"]
    Client().get(url)
    buyer = Client()
    mei = UserFactory(username="mei", email="mei@example.cn")
    buyer.force_login(mei)
    page = buyer.get(url)
    assert how(page) == "hit-personal"
    assert 'class="basket-count" data-basket-count>0<' in html(page)
    assert not Basket.objects.filter(owner=mei).exists()


@pytest.mark.django_db
def test_a_guests_basket_is_merged_on_the_first_stored_page_after_she_signs_in(pages, eggs):
    url = pages["home"]
    Client().get(url)
    shopper = Client()
    add_to_basket(shopper, eggs, 2)
    UserFactory(username="mei", email="mei@example.cn", password="eggs-and-rice-2026")
    signed_in = shop_login(shopper, "mei@example.cn", "eggs-and-rice-2026")
    assert signed_in.status_code == 302
    page = shopper.get(url)
    assert 'class="basket-count" data-basket-count>2<' in html(page)
    assert (
        settings.OSCAR_BASKET_COOKIE_OPEN not in shopper.cookies
        or not shopper.cookies[settings.OSCAR_BASKET_COOKIE_OPEN].value
    )


@pytest.mark.django_db
@pytest.mark.parametrize("held_by", ["group", "user", "staff", "nobody"])
def test_who_sees_the_desk_link_on_a_stored_page(pages, held_by):
    url = pages["product"]
    Client().get(url)
    user = UserFactory(username="lan", email="lan@example.cn")
    if held_by == "group":
        user.groups.add(Group.objects.get(name=roles.TEAM_MEMBER))
    elif held_by == "user":
        user.user_permissions.add(
            Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
        )
    elif held_by == "staff":
        user.is_staff = True
        user.save()
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert how(page) == "hit-personal"
    assert (">工作台</a>" in html(page)) is (held_by != "nobody")


@pytest.mark.django_db
@pytest.mark.parametrize("held_by", ["group", "user"])
def test_the_desk_link_goes_with_the_permission_on_the_next_page(pages, held_by):
    """Nothing keeps the answer between requests: a member whose role (or permission) is
    taken away loses 工作台 on her next page, and gets it back when it is given again."""
    url = pages["product"]
    Client().get(url)
    member = UserFactory(username="lan", email="lan@example.cn")
    if held_by == "group":
        holding = member.groups
        granted = Group.objects.get(name=roles.TEAM_MEMBER)
    else:
        holding = member.user_permissions
        granted = Permission.objects.get(
            codename="dashboard_access", content_type__app_label="partner"
        )
    holding.add(granted)
    client = Client()
    client.force_login(member)
    assert ">工作台</a>" in html(client.get(url))
    holding.remove(granted)
    page = client.get(url)
    assert how(page) == "hit-personal"
    assert ">工作台</a>" not in html(page) and ">我的</a>" in html(page)
    holding.add(granted)
    assert ">工作台</a>" in html(client.get(url))


@pytest.mark.django_db
def test_a_buyer_holding_two_open_baskets_sees_them_merged_on_a_stored_page(pages, eggs, veg):
    """The count read without loading the basket stands aside when she holds two open
    baskets: the basket is loaded, Oscar merges them, and the header counts both."""
    Basket = apps.get_model("basket", "Basket")
    url = pages["home"]
    Client().get(url)
    buyer = _signed_in_with_eggs(eggs)
    mei = Basket.objects.get(status=Basket.OPEN).owner
    second = Basket.objects.create(owner=mei)
    second.strategy = Selector().strategy()
    second.add_product(veg, 2)
    page = buyer.get(url)
    assert 'class="basket-count" data-basket-count>5<' in html(page)
    assert Basket.objects.filter(owner=mei, status=Basket.OPEN).count() == 1
