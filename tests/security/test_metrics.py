"""/metrics is the app's to guard: behind nginx every request comes from 127.0.0.1, so
an address list cannot tell the scraper from a buyer; the bearer token can."""

import json

import pytest

from tests.ops.test_production_settings import manage

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


def scrape(client, **meta):
    return client.get("/metrics", **meta)


def test_with_a_token_set_only_the_token_opens_metrics_even_from_loopback(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 403
    assert (
        scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 403
    )
    assert (
        scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code
        == 403
    )
    response = scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"python_info" in response.content or b"process_" in response.content
    assert "no-store" in response["Cache-Control"]


def test_without_a_token_nothing_is_served_unless_debugging_on_ones_own_machine(client, settings):
    settings.METRICS_TOKEN = ""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 403
    settings.DEBUG = True
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 200
    # A visitor through the proxy is not the developer's machine.
    assert (
        scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
        == 403
    )


def test_production_settings_refuse_metrics_without_a_token():
    code = (
        "import json; from django.test import Client; c = Client(HTTP_HOST='shop.example.cn');"
        "print(json.dumps([c.get('/metrics', REMOTE_ADDR=a).status_code"
        " for a in ('127.0.0.1', '::1', '10.0.0.5')]))"
    )
    result = manage("shell", "-c", code, METRICS_TOKEN=None, PROMETHEUS="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [403, 403, 403]
