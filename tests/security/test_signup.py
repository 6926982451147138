"""Sign-up under the production login protection (django-axes first in the backends).

Oscar's ``register_user`` signs the new account in with ``authenticate()``; axes needs
the request there, so before the fix every sign-up created the account and answered 500.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("production_login_protection"),
]

User = get_user_model()


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_sign_up_page_creates_the_account_signs_it_in_and_lands_on_the_account(client):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "xiaolin@example.cn",
            "password1": "yard-eggs-2026",
            "password2": "yard-eggs-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/shop/accounts/"
    assert User.objects.filter(email="xiaolin@example.cn").count() == 1
    assert _signed_in(client)
    account = client.get("/shop/accounts/", follow=True)
    assert account.status_code == 200 and "xiaolin@example.cn" in account.content.decode()


def test_sign_up_half_of_the_login_page_signs_the_new_account_in(client):
    response = client.post(
        reverse("customer:login") + "?next=/shop/basket/",
        {
            "registration-email": "laowang@example.cn",
            "registration-password1": "yard-eggs-2026",
            "registration-password2": "yard-eggs-2026",
            "registration-redirect_url": "/shop/basket/",
            "registration_submit": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/shop/basket/"
    assert User.objects.filter(email="laowang@example.cn").count() == 1
    assert _signed_in(client)


def test_passwords_that_differ_get_a_chinese_message_and_no_account(client):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "xiaolin@example.cn",
            "password1": "yard-eggs-2026",
            "password2": "yard-eggs-2027",
        },
    )
    assert response.status_code == 200
    assert "两次填的密码不一样" in response.content.decode()
    assert not User.objects.filter(email="xiaolin@example.cn").exists()
    assert not _signed_in(client)


def test_an_address_already_signed_up_gets_a_chinese_message(client, customer):
    response = client.post(
        reverse("customer:login"),
        {
            "registration-email": "Buyer@Example.cn",
            "registration-password1": "yard-eggs-2026",
            "registration-password2": "yard-eggs-2026",
            "registration_submit": "1",
        },
    )
    assert response.status_code == 200
    assert "这个邮箱已经注册过了" in response.content.decode()
    assert User.objects.filter(email__iexact="buyer@example.cn").count() == 1
    assert not _signed_in(client)
