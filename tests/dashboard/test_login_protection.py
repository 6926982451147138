"""Lockout after five failed logins, a one-time code for staff who set one up, short sessions."""

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.partner.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_five_wrong_passwords_lock_the_shop_login_for_a_while(client, customer):
    url = reverse("customer:login")
    for _ in range(5):
        client.post(
            url, {"login-username": customer.email, "login-password": "wrong", "login_submit": "1"}
        )
    response = client.post(
        url, {"login-username": customer.email, "login-password": "pass-1234", "login_submit": "1"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_dashboard_login_locks_too_and_four_failures_do_not(client, world):
    member = world["a"].member
    url = reverse("dashboard:login")
    for _ in range(4):
        client.post(url, {"username": member.username, "password": "wrong"})
    response = client.post(url, {"username": member.username, "password": "pass-1234"})
    assert response.status_code == 302  # the fifth try was right: no lockout yet
    client.logout()
    for _ in range(5):
        client.post(url, {"username": member.username, "password": "wrong"})
    assert (
        client.post(url, {"username": member.username, "password": "pass-1234"}).status_code == 429
    )


def test_wagtail_login_is_protected(client):
    editor = UserFactory(username="zhou")
    for _ in range(5):
        client.post("/cms/login/", {"username": "zhou", "password": "wrong"})
    assert (
        client.post(
            "/cms/login/", {"username": editor.username, "password": "pass-1234"}
        ).status_code
        == 429
    )


def test_staff_with_a_device_must_enter_the_code(client, world):
    coordinator = world["coordinator"]
    device = TOTPDevice.objects.create(user=coordinator, name="手机", confirmed=True)
    client.force_login(coordinator)
    response = client.get(reverse("dashboard:order-list"))
    assert (
        response.status_code == 302 and reverse("dashboard:desk-otp-verify") in response["Location"]
    )

    code_url = reverse("dashboard:desk-otp-verify")
    response = client.post(code_url, {"code": "000000", "next": reverse("dashboard:order-list")})
    assert response.status_code == 400 and "验证码不对" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    good = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post(code_url, {"code": good, "next": reverse("dashboard:order-list")})
    assert response["Location"] == reverse("dashboard:order-list")
    assert client.get(reverse("dashboard:order-list")).status_code == 200


def test_staff_without_a_device_and_team_members_pass_straight_through(client, world):
    client.force_login(world["coordinator"])
    assert client.get(reverse("dashboard:order-list")).status_code == 200
    client.force_login(world["a"].member)
    assert client.get(reverse("dashboard:order-list")).status_code == 200


def test_dashboard_sessions_last_a_working_day_buyers_keep_theirs(client, world, customer):
    client.force_login(world["a"].member)
    assert client.session.get_expiry_age() == settings.DESK_STAFF_SESSION_AGE == 8 * 3600
    client.logout()
    client.force_login(customer)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
