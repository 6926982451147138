"""After an account change the buyer's old address hears of it, in the buyer's language,
with a working reset link: if someone else changed it, the owner can take it back."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

PASSWORD = "dan-huang-2026"


@pytest.fixture
def buyer(db):
    return get_user_model().objects.create_user(
        username="chen", email="chen@example.cn", password=PASSWORD, first_name="陈晓"
    )


def reset_link(message, settings):
    [url] = re.findall(r"https?://\S+/password-reset/confirm/[^/\s]+/[^/\s]+/", message.body)
    assert url.startswith(settings.SHOP_BASE_URL)
    return url.removeprefix(settings.SHOP_BASE_URL)


def follow_reset(client, path):
    """The link opens the shop's set-a-new-password form (Django swaps the token into
    the session and redirects once)."""
    client.logout()
    page = client.get(path, follow=True)
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.django_db
def test_changing_the_email_tells_the_old_address_with_a_reset_link(client, buyer, settings):
    settings.SHOP_BASE_URL = "https://521nongzhu.cn"
    client.force_login(buyer)
    response = client.post(
        "/shop/accounts/profile/edit/", {"first_name": "陈晓", "email": "new@example.cn"}
    )
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.email == "new@example.cn"
    [message] = mail.outbox
    assert message.to == ["chen@example.cn"]
    assert message.subject == "您在 521助农小店 的邮箱已修改"
    assert "new@example.cn" in message.body and "不是您本人改的" in message.body
    html = message.alternatives[0][0]
    assert "重设密码" in html and "不用理会这封邮件" in html
    assert "新密码" in follow_reset(client, reset_link(message, settings))


@pytest.mark.django_db
def test_changing_the_password_tells_the_buyer_with_a_reset_link(client, buyer, settings):
    settings.SHOP_BASE_URL = "https://521nongzhu.cn"
    client.force_login(buyer)
    response = client.post(
        "/shop/accounts/change-password/",
        {
            "old_password": PASSWORD,
            "new_password1": "ji-dan-shu-cai-7",
            "new_password2": "ji-dan-shu-cai-7",
        },
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["chen@example.cn"]
    assert message.subject == "您在 521助农小店 的密码已修改"
    assert "新密码" in follow_reset(client, reset_link(message, settings))


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing_and_sends_nothing(client, buyer):
    client.force_login(buyer)
    page = client.post(
        "/shop/accounts/change-password/",
        {"old_password": "wrong", "new_password1": "x-y-z-12345", "new_password2": "x-y-z-12345"},
    )
    assert page.status_code == 200 and "原来的密码不对" in page.content.decode()
    assert mail.outbox == []
    buyer.refresh_from_db()
    assert buyer.check_password(PASSWORD)


@pytest.mark.django_db
def test_an_english_buyer_gets_the_notice_in_english(client, buyer):
    client.force_login(buyer)
    client.post("/en/shop/accounts/profile/edit/", {"first_name": "Chen", "email": "n@example.cn"})
    [message] = mail.outbox
    assert "521" in message.subject and not re.search(r"[\u4e00-\u9fff]", message.subject)
    assert "不是您本人改的" not in message.body
