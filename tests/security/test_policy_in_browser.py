"""The Content-Security-Policy in a real browser: Chromium reports every script, style
or image it refused; the pages a buyer, a team member and an editor use must have none."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard import factories as desk_factories
from tests.fulfilment.factories import DeliveryRunFactory
from tests.partner.factories import team_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def refused_on(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    return page.evaluate("window.__refused")


def test_buyers_team_and_editors_pages_run_without_refusals(
    live_server, phone_page, home_page, eggs, team
):
    page = phone_page
    page.add_init_script(WATCH)
    console = []
    page.on(
        "console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None
    )
    base = live_server.url
    refused = {}
    for path in [
        "/",
        "/shop/catalogue/",
        eggs.get_absolute_url(),
        "/shop/basket/",
        "/shop/accounts/login/",
    ]:
        refused[path] = refused_on(page, base + path)
    refused["poster"] = refused_on(page, base + reverse("product-poster", args=[eggs.pk]))

    member = team_member(team)
    run = DeliveryRunFactory(team=team)
    sign_in(page, live_server, member)
    for path in [
        reverse("fulfilment:run-list"),
        reverse("fulfilment:driver", args=[run.pk]),
        reverse("dashboard:index"),
        reverse("dashboard:catalogue-product-list"),
    ]:
        refused[path] = refused_on(page, base + path)

    sign_in(page, live_server, desk_factories.coordinator())
    for path in ["/cms/", "/shop/dashboard/catalogue/products/create/"]:
        refused[path] = refused_on(page, base + path)
    print(refused, console)
    assert {path: r for path, r in refused.items() if r} == {}
    assert console == []
