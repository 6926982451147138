"""After the order's transaction commits, the buyer is never told it failed (issue 17,
fault 9): what runs after it (queueing the e-mail, signals) may fail; that is logged and
the buyer is shown the order placed, and the basket stays submitted so it is not ordered
twice."""

import pytest
from django.core import mail
from django.urls import reverse
from kombu.exceptions import EncodeError, OperationalError
from oscar.core.loading import get_model

from shop.checkout import tasks as checkout_tasks
from shop.notices import tasks as notice_tasks
from shop.notices.models import Notice
from tests.checkout.test_checkout import add_to_basket
from tests.checkout.test_confirm_page import GUEST
from tests.fulfilment.factories import pickup_code
from tests.resilience.test_redis import confirm_page_key

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")


def failing_queue(*args, **kwargs):
    raise EncodeError("the queue refused the message")


@pytest.mark.django_db
def test_a_failure_after_the_commit_still_shows_the_buyer_her_order(
    client, eggs, run, monkeypatch, caplog
):
    monkeypatch.setattr(checkout_tasks.confirm_orders, "delay", failing_queue)
    add_to_basket(client, eggs, 10)
    form = {**GUEST, "method_code": pickup_code(run), "submission_key": confirm_page_key(client)}

    response = client.post(reverse("checkout:confirm"), form)

    assert response.status_code == 302  # was the confirmation page with "A problem occurred"
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    order = Order.objects.get()
    assert order.number in client.get(reverse("checkout:thank-you")).content.decode()
    assert Basket.objects.get(pk=order.basket_id).status == Basket.SUBMITTED
    assert "could not be queued" in caplog.text

    client.post(reverse("checkout:confirm"), form)
    assert Order.objects.count() == 1


def unreachable_queue(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_with_the_task_queue_down_the_buyer_still_gets_her_text_and_e_mail_once(
    client, eggs, run, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The confirmations go to a worker as one task; when the broker cannot be reached the
    request sends them itself (and the text message's own task falls back the same way)."""
    monkeypatch.setattr(checkout_tasks.confirm_orders, "delay", unreachable_queue)
    monkeypatch.setattr(notice_tasks.send_notice, "delay", unreachable_queue)
    mail.outbox.clear()
    add_to_basket(client, eggs, 10)
    form = {**GUEST, "method_code": pickup_code(run), "submission_key": confirm_page_key(client)}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("checkout:confirm"), form)

    assert response["Location"].endswith(reverse("checkout:thank-you"))
    order = Order.objects.get()
    notice = Notice.objects.get(order=order)
    assert notice.kind == "order_confirmed" and notice.sent_at is not None
    assert notice.params["code"] and notice.params["place"]
    assert [message.to for message in mail.outbox] == [["Lin@example.cn"]]
    assert order.number in mail.outbox[0].subject
    assert "confirming order" in caplog.text
