"""Fault 15: bad input found by attacking the shop gets a 4xx or the form again with a
Chinese message, never a 500, and changes nothing."""

import json

import pytest
from django.urls import reverse
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model

from tests.catalogue.factories import ProductClassFactory
from tests.checkout.test_checkout import add_to_basket
from tests.dashboard.factories import coordinator
from tests.partner.factories import UserFactory, team_member
from tests.payment.conftest import WEBHOOK_SECRET, event, sign

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Product = get_model("catalogue", "Product")
ProcessedStripeEvent = get_model("payment", "ProcessedStripeEvent")


@pytest.fixture
def quiet_client(client):
    """A test client that answers a 500 as the browser would see it, not by raising."""
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_empty_post_to_the_product_create_page_shows_the_form_again(quiet_client, team):
    ProductClassFactory()
    url = reverse(
        "dashboard:catalogue-product-create", kwargs={"product_class_slug": "farm-produce"}
    )
    for user in (coordinator(), team_member(team)):
        quiet_client.force_login(user)
        response = quiet_client.post(url, {})
        assert response.status_code == 200, user
        assert "你的商品必须有标题" in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_saved_basket_post_naming_another_buyers_line_is_refused(quiet_client, eggs, customer):
    other = UserFactory(username="other-buyer")
    saved = Basket.saved.create(owner=other)
    saved.strategy = Default()
    line = saved.add_product(eggs, 10)[0]
    quiet_client.force_login(customer)
    for move in ("on", ""):
        response = quiet_client.post(
            reverse("basket:saved"),
            {
                "saved-TOTAL_FORMS": "1",
                "saved-INITIAL_FORMS": "1",
                "saved-0-id": str(line.pk),
                "saved-0-move_to_basket": move,
            },
            follow=True,
        )
        assert response.status_code == 200
        assert "这件商品已不在您的收藏里" in response.content.decode()
        line.refresh_from_db()
        assert line.basket_id == saved.pk and line.quantity == 10
        assert not Line.objects.filter(basket__owner=customer).exists()
        Basket.saved.get_or_create(owner=customer)  # the second round: she has one now


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/shop/villages/%00/", {}),
        ("/shop/teams/%00/", {}),
        ("/en/shop/villages/a%00b/", {}),
        ("/search/", {"q": "鸡蛋\x00"}),
        ("/shop/catalogue/", {"village": "\x00"}),
    ],
)
def test_a_nul_in_the_address_or_query_is_a_400(quiet_client, path, query):
    """PostgreSQL refuses a NUL in a query (a 500 there); no page is looked up at all."""
    response = quiet_client.get(path, query)
    assert response.status_code == 400
    assert "(NUL)" in response.content.decode() or "（NUL）" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_a_posted_field_is_a_400_and_changes_nothing(quiet_client, customer):
    quiet_client.force_login(customer)
    response = quiet_client.post(
        reverse("customer:profile-update"), {"first_name": "林\x00", "email": customer.email}
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.first_name == ""


@pytest.mark.django_db
def test_basket_formset_without_min_num_forms_is_not_a_500(quiet_client, eggs, pickup_point):
    add_to_basket(quiet_client, eggs, 10)
    line = Basket.objects.get().lines.get()
    response = quiet_client.post(
        reverse("basket:summary"),
        {  # one line with a bad quantity and one form without a line: Oscar redisplays
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "1",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(line.pk),
            "form-0-quantity": "很多",
        },
    )
    assert response.status_code == 200
    assert "form-MIN_NUM_FORMS" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"checkout.session.completed"',
        "42",
        "null",
        json.dumps(event("checkout.session.completed", {"id": "cs_1"}) | {"data": {"object": []}}),
        json.dumps(
            event("checkout.session.completed", {"id": "cs_1"}) | {"data": {"object": "cs_1"}}
        ),
        json.dumps(event("refund.updated", {"id": "re_1"}) | {"data": []}),
        json.dumps(event("checkout.session.completed", {"id": "cs_1"}) | {"data": "x"}),
    ],
)
def test_a_signed_webhook_that_is_not_an_object_is_refused(quiet_client, settings, body):
    settings.STRIPE_SECRET_KEY = "sk_test_fake_nongzhu"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake_nongzhu"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    response = quiet_client.post(
        reverse("stripe-webhook"),
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body),
    )
    assert response.status_code == 400
    assert not ProcessedStripeEvent.objects.exists()


@pytest.mark.django_db
def test_order_line_address_is_never_a_500(quiet_client, eggs, customer):
    """Found by the fuzz stage: Oscar's buyer order line URL had no page (GET) and no
    answer for a line outside the order."""
    from tests.order.factories import make_order

    order = make_order(None, [(eggs, 2)], user=customer)
    line = order.lines.get()
    quiet_client.force_login(customer)
    url = f"/shop/accounts/orders/{order.number}/{line.pk}/"
    response = quiet_client.get(url)
    assert response.status_code == 302 and response.url.endswith(f"/orders/{order.number}/")
    assert (
        quiet_client.get(f"/shop/accounts/orders/{order.number}/{line.pk + 99}/").status_code == 404
    )
    assert (
        quiet_client.post(
            f"/shop/accounts/orders/{order.number}/{line.pk + 99}/", {"action": "reorder"}
        ).status_code
        == 404
    )
    quiet_client.force_login(UserFactory(username="stranger"))
    assert quiet_client.get(url).status_code == 404


@pytest.mark.django_db
def test_checkout_gateway_sign_in_with_a_wrong_password_shows_the_form(
    quiet_client, eggs, pickup_point, customer
):
    """Found by the fuzz stage: the returning-customer option signed in without the
    request, which django-axes refuses (a 500)."""
    add_to_basket(quiet_client, eggs, 10)
    response = quiet_client.post(
        reverse("checkout:index"),
        {"username": customer.email, "options": "existing", "password": "wrong-one"},
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_order_dashboard_ids_that_are_not_numbers_get_a_message(quiet_client, world):
    """Found by the fuzz stage: an empty or non-number order, line or note id, or a line
    sent without its quantity, was a 500 in the order dashboard."""
    a = world["a"]
    order, line = a.order, a.order.lines.get()
    quiet_client.force_login(a.member)
    listing = reverse("dashboard:order-list")
    response = quiet_client.post(
        listing, {"action": "download_selected_orders", "selected_order": ["", "x"]}
    )
    assert response.status_code == 302
    detail = reverse("dashboard:order-detail", kwargs={"number": order.number})
    for data in (
        {"line_action": "change_line_statuses", "selected_line": "", "new_status": "已发货"},
        {"line_action": "change_line_statuses", "selected_line": str(line.pk), "new_status": "x"},
    ):
        assert quiet_client.post(detail, data).status_code == 302
    line.refresh_from_db()
    assert line.status != "已发货"


@pytest.mark.django_db
def test_a_category_name_without_letters_keeps_the_category_reachable(quiet_client):
    """Found by the fuzz stage: a name of punctuation only left the category without a
    slug, and every page linking to it failed."""
    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    category = Category.add_root(name="鸡蛋", slug="eggs")
    quiet_client.force_login(coordinator())
    url = reverse("dashboard:catalogue-category-update", kwargs={"pk": category.pk})
    response = quiet_client.post(
        url,
        {"name": "!!!", "slug": "", "treebeard_position": "first-child", "treebeard_ref_node": ""},
    )
    assert response.status_code == 200
    category.refresh_from_db()
    assert category.slug == "eggs" and category.name == "鸡蛋"
    assert quiet_client.get(category.get_absolute_url()).status_code == 200
