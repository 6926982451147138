"""Text messages: sent through Tencent Cloud's own SDK to its API (here a stand-in on
127.0.0.1), once per event however often it is asked, and listed on the order page."""

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from shop import notices
from shop.buyer import links
from shop.buyer.codes import pickup_code
from shop.notices.models import Notice
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code as method_code

Order = get_model("order", "Order")


def post_order(client, run):
    return client.post(
        reverse("checkout:confirm"),
        {
            "first_name": "林小满",
            "phone_number": "138 1234 5678",
            "guest_email": "",  # e-mail is optional: the phone is the key
            "line1": "",
            "line4": "",
            "notes": "",
            "method": "pay-on-pickup",
            "method_code": method_code(run),
        },
    )


@pytest.mark.django_db
def test_guest_without_email_orders_and_gets_one_text_message(
    client, eggs, run, sms_provider, django_capture_on_commit_callbacks
):
    add_to_basket(client, eggs, 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_order(client, run)

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.guest_email == ""
    assert mail.outbox == []
    [request] = sms_provider.requests
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256")
    sent = request["json"]
    assert sent["PhoneNumberSet"] == ["+8613812345678"]
    assert sent["SessionContext"] == f"order_confirmed:{order.number}"
    params = sent["TemplateParamSet"]
    assert order.number in params and pickup_code(order) in params
    assert any("县人民医院门诊大厅" in p for p in params)
    assert any(p.startswith("http://127.0.0.1:8000/shop/orders/o/") for p in params)
    notice = Notice.objects.get()
    assert notice.sent_at is not None and notice.provider_id == "sn-1"

    # Asked again (a retried request, the lead's order-life module): nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        notices.order_confirmed(order)
    assert len(sms_provider.requests) == 1
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_each_kind_is_sent_once_and_listed_on_the_order_page(
    client, guest_order, sms_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notices.order_confirmed(guest_order)
        notices.ready(guest_order)
        notices.ready(guest_order)
        notices.shortfall(guest_order, [("散养土鸡蛋", 2, 3)], key="cut-1")
    with django_capture_on_commit_callbacks(execute=True):
        notices.shortfall(guest_order, [("散养土鸡蛋", 2, 3)], key="cut-1")

    kinds = [sent["SessionContext"].split(":")[0] for sent in sms_provider.sent()]
    assert kinds == ["order_confirmed", "ready", "shortfall"]
    shortfall_params = sms_provider.sent()[2]["TemplateParamSet"]
    assert "散养土鸡蛋少2" in shortfall_params
    page = client.get(links.order_path(guest_order)).content.decode()
    assert "已发短信：订单确认" in page and "已发短信：可以取货" in page
    assert "已发短信：缺货调整" in page


@pytest.mark.django_db
def test_a_refused_message_is_recorded_and_not_shown_as_sent(
    client, guest_order, sms_provider, django_capture_on_commit_callbacks
):
    sms_provider.fail_with = "FailedOperation.InsufficientBalanceInSmsPackage"

    with django_capture_on_commit_callbacks(execute=True):
        notices.delivered(guest_order)  # the checkout or a team's tap goes on regardless

    notice = Notice.objects.get()
    assert notice.sent_at is None
    assert "InsufficientBalance" in notice.error
    assert len(sms_provider.requests) == 1  # no worker: no retries inside the request
    assert "已发短信" not in client.get(links.order_path(guest_order)).content.decode()
