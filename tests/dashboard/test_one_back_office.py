"""One back office: the Oscar dashboard and the team pages under /shop/team/ show the same
bar and menu, and the menu shows each role exactly the pages it may open."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<details class="desk-menu".*?</details>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def menu_links(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    menu = MENU.search(response.content.decode())
    assert menu, f"{url} has no back-office menu"
    return dict((label.strip(), href) for href, label in LINK.findall(menu.group(0)))


@pytest.mark.parametrize("page", ["dashboard:index", "dashboard:order-list", "fulfilment:run-list"])
def test_dashboard_and_team_pages_share_one_bar_and_menu(client, world, page):
    client.force_login(world["a"].member)
    response = client.get(reverse(page))
    body = response.content.decode()
    assert 'data-testid="desk-chrome"' in body
    assert "navbar-primary" not in body  # Oscar's own second menu is gone
    assert menu_links(client, reverse(page)) == menu_links(client, reverse("dashboard:index"))


def test_team_pages_leave_out_the_buyers_chrome_and_the_editor_scripts(client, world):
    client.force_login(world["a"].member)
    body = client.get(reverse("fulfilment:run-list")).content.decode()
    assert 'class="site-search"' not in body and 'class="tabbar' not in body
    assert "tinymce" not in body


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_every_menu_link_opens_for_whoever_sees_it(client, world, role):
    user = world["a"].member if role == "member" else world["coordinator"]
    client.force_login(user)
    links = menu_links(client, reverse("dashboard:index"))
    assert reverse("fulfilment:run-list") in links.values()
    for label, href in links.items():
        assert client.get(href).status_code == 200, (role, label, href)


def test_a_team_member_sees_no_coordinator_pages(client, world):
    client.force_login(world["a"].member)
    hrefs = set(menu_links(client, reverse("fulfilment:run-list")).values())
    assert reverse("institutions:overview") not in hrefs
    assert reverse("dashboard:desk-invite") not in hrefs
    assert reverse("dashboard:users-index") not in hrefs
    client.force_login(world["coordinator"])
    coordinator_hrefs = set(menu_links(client, reverse("dashboard:index")).values())
    assert {
        reverse("institutions:overview"),
        reverse("dashboard:desk-invite"),
        reverse("dashboard:users-index"),
    } <= coordinator_hrefs
    assert hrefs < coordinator_hrefs


@pytest.mark.parametrize("role", ["customer", "editor"])
def test_buyers_and_editors_get_no_back_office(client, world, role):
    client.force_login(world[role])
    for url in (reverse("fulfilment:run-list"), reverse("dashboard:index")):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b'data-testid="desk-chrome"' not in response.content


def test_the_menu_asks_the_team_rule_once_per_page(client, world):
    """Seven team entries in the menu: the membership is looked up once, not seven times."""
    client.force_login(world["a"].member)
    client.get(reverse("fulfilment:crates"))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("fulfilment:crates"))
    # The rule's question is "does this user belong to a team?" (an EXISTS); the crate page
    # itself then lists the user's teams, which is the page's business.
    rule_asked = [
        q for q in queries if q["sql"].startswith('SELECT 1 AS "a" FROM "partner_partner"')
    ]
    assert len(rule_asked) == 1, "\n".join(q["sql"] for q in rule_asked)
