"""What the browser is told: a Content-Security-Policy every page's own scripts satisfy,
a Permissions-Policy, and personal pages kept out of every cache."""

import re

import pytest
from csp.decorators import csp_update
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from shop.core.security import ContentSecurityPolicyMiddleware
from shop.speed import page_cache
from tests.dashboard import factories as desk_factories
from tests.fulfilment.factories import DeliveryRunFactory
from tests.partner.factories import team_member

pytestmark = pytest.mark.django_db

CATALOGUE = "/shop/catalogue/"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.S)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.S)


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def nonce_of(response):
    [nonce] = [v[len("'nonce-") : -1] for v in policy(response)["script-src"] if "nonce" in v]
    return nonce


def assert_every_inline_script_may_run(response):
    """Each inline <script> carries the header's nonce; no inline handlers or style blocks."""
    html = response.content.decode()
    nonce = nonce_of(response)
    scripts = INLINE_SCRIPT.findall(html)
    assert scripts, "the page runs its onbodyload script"
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes, attributes
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert "<style" not in html


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_public_pages_allow_only_the_sites_own_and_nonced_scripts(client, eggs, home_page):
    for url in ["/", CATALOGUE, eggs.get_absolute_url(), reverse("customer:login")]:
        response = client.get(url)
        assert response.status_code == 200, url
        rules = policy(response)
        assert rules["default-src"] == ["'self'"]
        assert rules["script-src"][0] == "'self'" and "'unsafe-inline'" not in rules["script-src"]
        assert rules["style-src"] == ["'self'"]
        assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
        assert_every_inline_script_may_run(response)


def test_each_request_gets_its_own_nonce_also_from_the_page_cache(settings, eggs):
    settings.PAGE_CACHE_ENABLED = True
    first, second = Client().get(CATALOGUE), Client().get(CATALOGUE)
    assert first[page_cache.HIT_HEADER] == "miss" and second[page_cache.HIT_HEADER] == "hit"
    assert nonce_of(first) != nonce_of(second)
    assert_every_inline_script_may_run(first)
    assert_every_inline_script_may_run(second)


def test_the_poster_prints_without_inline_code(client, eggs):
    response = client.get(reverse("product-poster", args=[eggs.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and not INLINE_HANDLER.search(html)
    assert "data-print" in html and "css/poster.css" in html


def test_photos_may_come_from_the_media_bucket(client, settings):
    assert "https://media.shop.example.cn" not in policy(client.get("/"))["img-src"]
    # the header is kept per process once built; a changed setting builds it again
    settings.MEDIA_ORIGINS = ["https://media.shop.example.cn"]
    rules = policy(client.get("/"))
    assert "https://media.shop.example.cn" in rules["img-src"]
    assert "'self'" in rules["img-src"]


def test_an_answer_with_no_inline_script_carries_no_nonce(client, eggs):
    """The kept header is written with the request's nonce only when the page used one."""
    page, probe = client.get(CATALOGUE), client.get(reverse("healthz"))
    assert nonce_of(page)
    assert policy(probe)["script-src"] == ["'self'"]
    assert policy(probe)["default-src"] == ["'self'"]


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    """django-csp's decorators still decide for their view (its own path is taken)."""

    @csp_update({"img-src": ["https://maps.example.cn"]})
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/shop/")
    middleware = ContentSecurityPolicyMiddleware(view)
    response = middleware(request)
    rules = policy(response)
    assert rules["img-src"] == ["'self'", "data:", "https://maps.example.cn"]
    assert rules["default-src"] == ["'self'"]


def test_dashboard_allows_inline_styles_and_the_cms_its_inline_scripts(client):
    client.force_login(desk_factories.coordinator())
    dashboard = client.get(reverse("dashboard:index"))
    assert dashboard.status_code == 200
    assert "'unsafe-inline'" in policy(dashboard)["style-src"]
    assert "'unsafe-inline'" not in policy(dashboard)["script-src"]
    for script in INLINE_SCRIPT.findall(dashboard.content.decode()):
        assert f'nonce="{nonce_of(dashboard)}"' in script

    cms = client.get("/cms/login/")
    rules = policy(cms)
    assert "'unsafe-inline'" in rules["script-src"] and rules["frame-ancestors"] == ["'self'"]


def test_camera_and_location_for_this_site_only_everything_else_off(client):
    header = client.get("/")["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in header.split(","))
    assert features["camera"] == "(self)" and features["geolocation"] == "(self)"
    for feature in ["microphone", "payment", "usb", "display-capture"]:
        assert features[feature] == "()"


def test_personal_pages_are_private_and_never_stored(client, customer, team, eggs):
    client.force_login(customer)
    for name in [
        "customer:order-list",
        "customer:address-list",
        "customer:summary",
        "basket:summary",
    ]:
        response = client.get(reverse(name))
        assert {"private", "no-store"} <= cache_control(response), name
        assert "public" not in cache_control(response)
    checkout = client.get(reverse("checkout:index"))
    assert {"private", "no-store"} <= cache_control(checkout)
    english_orders = client.get("/en" + reverse("customer:order-list"))
    assert {"private", "no-store"} <= cache_control(english_orders)


def test_team_pages_packing_lists_and_the_dashboard_are_private(client, team):
    member = team_member(team)
    run = DeliveryRunFactory(team=team)
    client.force_login(member)
    for url in [
        reverse("fulfilment:run-list"),
        reverse("fulfilment:run-document", args=[run.pk, "packing"]),
        reverse("dashboard:index"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= cache_control(response), url


def test_public_pages_keep_their_caching(client, eggs, home_page):
    for url in ["/", CATALOGUE, eggs.get_absolute_url()]:
        response = client.get(url)
        assert not {"private", "no-store"} & cache_control(response), url
