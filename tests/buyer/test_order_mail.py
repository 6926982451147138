"""The order e-mail: the site's real domain, the pickup place, time and code, Chinese only
in Chinese mail, signed by the shop."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from shop.buyer.codes import pickup_code
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code as method_code

GUEST = {
    "first_name": "林小满",
    "phone_number": "13812345678",
    "guest_email": "lin@example.cn",
    "line1": "",
    "line4": "",
    "notes": "",
    "method": "pay-on-pickup",
}


def order_by_mail(client, eggs, run, path=None):
    add_to_basket(client, eggs, 10)
    response = client.post(
        path or reverse("checkout:confirm"), {**GUEST, "method_code": method_code(run)}
    )
    assert response.status_code == 302
    [message] = mail.outbox
    return message


@pytest.mark.django_db
def test_chinese_order_mail_has_the_real_domain_the_pickup_and_no_english(
    client, eggs, run, settings
):
    settings.SHOP_BASE_URL = "https://521nongzhu.cn"
    message = order_by_mail(client, eggs, run)
    body = message.body
    html = message.alternatives[0][0] if message.alternatives else ""

    assert "https://521nongzhu.cn/shop/orders/o/" in body
    assert "example.com" not in body + html
    assert "县人民医院门诊大厅" in body
    stop = run.stops.get()
    assert f"{stop.window_start:%H:%M}–{stop.window_end:%H:%M}" in body
    assert re.search(r"\d+月\d+日 周[一二三四五六日]", body)  # the weekday is written out
    from oscar.core.loading import get_model

    order = get_model("order", "Order").objects.get()
    assert pickup_code(order) in body
    assert "送货地址" not in body and "中国" not in body
    assert body.rstrip().endswith("521助农小店")
    assert "团队" not in body + html
    words = re.findall(r"[A-Za-z]{2,}", re.sub(r"https?://\S+", "", body + message.subject))
    assert words == []


@pytest.mark.django_db
def test_english_buyer_gets_english_mail(client, eggs, run):
    message = order_by_mail(client, eggs, run, path="/en" + reverse("checkout:confirm"))

    assert "Pickup code" in message.body
    assert "/en/shop/orders/o/" in message.body
    assert "取货码" not in message.body


@pytest.mark.django_db
def test_demo_loader_names_the_real_domain_in_the_site_object(settings):
    from django.contrib.sites.models import Site

    from shop.demo.loader import DemoLoader

    settings.SHOP_BASE_URL = "https://521nongzhu.cn"
    DemoLoader(log=lambda *args: None).load_site_domain()

    Site.objects.clear_cache()
    assert Site.objects.get_current().domain == "521nongzhu.cn"
