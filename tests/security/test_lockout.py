"""Login lockout as production runs it: behind nginx on loopback, axes first in the backends.

Five wrong passwords lock one login name from one browser's address. Re-typing the name
in another spelling must not buy fresh attempts, and a stranger elsewhere must not be
able to lock a coordinator out: behind the proxy every request arrives from 127.0.0.1,
so the address has to come from X-Forwarded-For, and only when the proxy wrote it.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.dashboard import factories as desk_factories

pytestmark = pytest.mark.usefixtures("production_login_protection")

NGINX = {"REMOTE_ADDR": "127.0.0.1"}


def shop_login(client, email, password, **meta):
    return client.post(
        reverse("customer:login"),
        {"login-username": email, "login-password": password, "login_submit": "1"},
        **meta,
    )


def through_nginx(browser):
    """What deploy/nginx.conf passes on: the browser's address appended to X-Forwarded-For."""
    return {**NGINX, "HTTP_X_FORWARDED_FOR": browser}


def test_a_locked_address_stays_locked_in_every_spelling(client, customer):
    for _ in range(5):
        shop_login(client, customer.email, "wrong", **through_nginx("203.0.113.7"))
    for spelling in [
        "BUYER@EXAMPLE.CN",
        "  buyer@example.cn ",
        "Buyer@Example.cn",
        "buyer@example.CN\t",
    ]:
        response = shop_login(client, spelling, "pass-1234", **through_nginx("203.0.113.7"))
        assert response.status_code == 429, spelling
        assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == "buyer@example.cn"


def test_failures_in_other_spellings_add_up_to_one_lockout(client, customer):
    for spelling in [
        "Buyer@example.cn",
        "BUYER@example.cn",
        " buyer@example.cn",
        "buyer@EXAMPLE.cn",
    ]:
        shop_login(client, spelling, "wrong", **through_nginx("203.0.113.7"))
    shop_login(client, "buyer@example.cn ", "wrong", **through_nginx("203.0.113.7"))
    assert (
        shop_login(client, customer.email, "pass-1234", **through_nginx("203.0.113.7")).status_code
        == 429
    )


def test_a_stranger_behind_the_proxy_cannot_lock_the_coordinator_out(client):
    coordinator = desk_factories.coordinator()
    url = reverse("dashboard:login")
    for _ in range(6):
        client.post(
            url,
            {"username": coordinator.username, "password": "guess"},
            **through_nginx("198.51.100.66"),
        )
    stranger = client.post(
        url,
        {"username": coordinator.username, "password": "pass-1234"},
        **through_nginx("198.51.100.66"),
    )
    assert stranger.status_code == 429  # the stranger's own address is locked

    response = client.post(
        url,
        {"username": coordinator.username, "password": "pass-1234"},
        **through_nginx("203.0.113.20"),
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


def test_the_proxys_hop_is_used_and_what_the_browser_wrote_before_it_is_not(client, customer):
    # The browser sends its own X-Forwarded-For; nginx appends the address it saw.
    for n in range(5):
        shop_login(client, customer.email, "wrong", **through_nginx(f"10.9.9.{n}, 203.0.113.7"))
    assert (
        shop_login(client, customer.email, "pass-1234", **through_nginx("203.0.113.7")).status_code
        == 429
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(client, customer):
    for n in range(5):
        shop_login(
            client,
            customer.email,
            "wrong",
            REMOTE_ADDR="192.0.2.44",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    locked = shop_login(
        client,
        customer.email,
        "pass-1234",
        REMOTE_ADDR="192.0.2.44",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "192.0.2.44"
