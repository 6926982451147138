"""The delivery choice page takes the run and the way to pay in one step; the payment page
stays for a basket with one run (Oscar chooses the run itself) and for changing one's mind."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import DeliveryRunFactory, pickup_code
from tests.fulfilment.test_checkout_runs import start_guest_checkout

Order = get_model("order", "Order")


@pytest.fixture
def two_runs(team, pickup_point):
    later = DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )
    return pickup_point.runs.exclude(pk=later.pk).get(), later


def at_choice_page(client, eggs):
    add_to_basket(client, eggs, 10)
    start_guest_checkout(client)
    page = client.get(reverse("checkout:shipping-method"))
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.django_db
def test_run_and_way_to_pay_chosen_on_one_page_lead_to_the_preview(client, eggs, two_runs):
    first, later = two_runs
    html = at_choice_page(client, eggs)
    assert pickup_code(first) in html and pickup_code(later) in html
    assert 'name="method" value="pay-on-pickup"' in html

    response = client.post(
        reverse("checkout:shipping-method"),
        {"method_code": pickup_code(later), "method": "pay-on-pickup"},
    )

    assert response.status_code == 302 and response["Location"] == reverse("checkout:preview")
    preview = client.get(reverse("checkout:preview")).content.decode()
    assert "取货时付款" in preview
    placed = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert placed["Location"].endswith(reverse("checkout:thank-you"))
    order = Order.objects.get()
    assert order.run_link.run == later
    assert order.sources.get().source_type.code == "pay-on-pickup"


@pytest.mark.django_db
def test_without_a_valid_way_to_pay_the_payment_page_comes_next_and_the_run_is_kept(
    client, eggs, two_runs
):
    first, later = two_runs
    at_choice_page(client, eggs)
    for data in (
        {"method_code": pickup_code(later)},
        {"method_code": pickup_code(later), "method": "比特币"},
    ):
        response = client.post(reverse("checkout:shipping-method"), data)
        assert response["Location"] == reverse("checkout:payment-method")
        assert client.get(reverse("checkout:preview"))["Location"] == reverse(
            "checkout:payment-method"
        )  # no way to pay was stored

    html = client.get(reverse("checkout:shipping-method")).content.decode()
    assert f'value="{pickup_code(later)}" required checked' in html  # shown as chosen
    client.post(reverse("checkout:payment-method"), {"method": "pay-on-pickup"})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert Order.objects.get().run_link.run == later


@pytest.mark.django_db
def test_no_run_chosen_is_told_in_chinese_and_nothing_is_stored(client, eggs, two_runs):
    at_choice_page(client, eggs)

    response = client.post(reverse("checkout:shipping-method"), {"method": "pay-on-pickup"})

    assert response["Location"] == reverse("checkout:shipping-method")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请选一个批次和取货方式。"]
    assert client.get(reverse("checkout:preview")).status_code == 302  # not ready to place
    assert not Order.objects.exists()
