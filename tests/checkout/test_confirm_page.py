"""The one-page order confirmation ("确认订单"): who collects, the run, the way to pay and
the order on one page; "提交订单" places the order in the same request. Bad input shows the
page again with the reason and changes nothing."""

import datetime
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment.models import DeliveryRun
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import DeliveryZoneFactory, pickup_code
from tests.order.factories import make_order
from tests.payment.conftest import stock_of

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")

GUEST = {
    "first_name": "林小满",
    "phone_number": "138 1234 5678",
    "guest_email": "Lin@Example.cn",
    "line1": "",
    "line4": "",
    "notes": "下午来取",
    "method": "pay-on-pickup",
}


def confirm(client, **data):
    return client.post(reverse("checkout:confirm"), data)


def page_text(response):
    return response.content.decode()


@pytest.mark.django_db
def test_guest_goes_from_basket_to_one_page_and_places_the_order_with_one_tap(
    client, eggs, run, later_run
):
    add_to_basket(client, eggs, 10)
    basket = page_text(client.get(reverse("basket:summary")))
    assert f'href="{reverse("checkout:confirm")}"' in basket  # "去结算" leads here

    page = page_text(client.get(reverse("checkout:confirm")))
    assert "确认订单" in page and "提交订单" in page
    assert pickup_code(run) in page and pickup_code(later_run) in page
    assert 'name="guest_email"' in page and 'value="pay-on-pickup"' in page
    assert "散养土鸡蛋" in page and "¥15.00" in page  # the order itself: 10 eggs at ¥1.50

    response = confirm(client, **GUEST, method_code=pickup_code(later_run))

    assert response.status_code == 302
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    order = Order.objects.get()
    assert order.run_link.run == later_run
    assert order.guest_email == "Lin@example.cn"  # the domain is normalised
    assert order.shipping_address.first_name == "林小满"
    assert order.shipping_address.phone_number.national_number == 13812345678
    assert order.shipping_address.notes == "下午来取"
    assert order.sources.get().source_type.code == "pay-on-pickup"
    assert order.total_incl_tax == 15
    assert stock_of(eggs) == (100, 10)  # held for the order
    thanks = page_text(client.get(reverse("checkout:thank-you")))
    assert order.number in thanks
    assert [message.to for message in mail.outbox] == [["Lin@example.cn"]]
    assert order.number in mail.outbox[0].subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, said",
    [
        ({"first_name": " "}, "请填写收货人姓名。"),
        ({"phone_number": "1234"}, "请输入正确的 11 位手机号，例如 13812345678。"),
        ({"guest_email": "lin@"}, "请输入正确的电子邮箱，例如 lin@example.cn。"),
        ({"method_code": ""}, "请选一个批次和取货方式。"),
        (
            {"method_code": "run-999999-pickup-1"},
            "这个批次已不能选（可能已截单或装满），请换一个。",
        ),
        ({"method": ""}, "请选择付款方式。"),
        ({"method": "比特币"}, "请选择付款方式。"),
    ],
)
def test_bad_input_shows_the_page_again_with_the_reason_and_changes_nothing(
    client, eggs, run, change, said
):
    add_to_basket(client, eggs, 10)
    data = {**GUEST, "method_code": pickup_code(run), **change}

    response = confirm(client, **data)

    assert response.status_code == 200
    html = page_text(response)
    assert said in html
    assert 'value="林小满"' in html or change.get("first_name")  # what was typed stays
    assert not Order.objects.exists()
    assert stock_of(eggs) == (100, 0)
    # nothing was stored for Oscar's steps either: the preview is not ready
    assert client.get(reverse("checkout:preview")).status_code == 302


@pytest.mark.django_db
def test_home_delivery_takes_only_an_address_inside_the_zone(client, team, eggs, run):
    zone = DeliveryZoneFactory(team=team, name="城关镇", districts="城关镇\n建设路")
    run.zones.add(zone)
    add_to_basket(client, eggs, 30)  # ¥45, above the zone's ¥30 minimum
    code = f"run-{run.pk}-zone-{zone.pk}"
    page = page_text(client.get(reverse("checkout:confirm")))
    assert code in page and "城关镇、建设路" in page and "¥50.00" in page  # ¥45 + ¥5 fee

    outside = confirm(client, **{**GUEST, "line1": "河西区幸福街 3 号"}, method_code=code)
    assert outside.status_code == 200
    assert "城关镇只送到：城关镇、建设路。请改填地址，或选自提。" in page_text(outside)
    assert not Order.objects.exists()

    inside = confirm(client, **{**GUEST, "line1": "建设路 12 号 3 单元"}, method_code=code)
    assert inside.status_code == 302
    order = Order.objects.get()
    assert order.shipping_address.line1 == "建设路 12 号 3 单元"
    assert order.shipping_incl_tax == 5 and order.total_incl_tax == 50


@pytest.mark.django_db
def test_signed_in_buyer_starts_from_their_address_book_and_gives_no_email(
    client, customer, eggs, run
):
    UserAddress.objects.create(
        user=customer,
        first_name="王秀英",
        phone_number="+8613900001111",
        line1="建设路 8 号",
        country=Country.objects.get(iso_3166_1_a2="CN"),
        is_default_for_shipping=True,
    )
    client.force_login(customer)
    add_to_basket(client, eggs, 4)
    # the gateway sends a signed-in buyer straight here
    assert client.get(reverse("checkout:index"))["Location"] == reverse("checkout:confirm")

    page = page_text(client.get(reverse("checkout:confirm")))
    assert 'value="王秀英"' in page and 'value="13900001111"' in page
    assert 'name="guest_email"' not in page

    data = {key: value for key, value in GUEST.items() if key != "guest_email"}
    response = confirm(
        client,
        **{**data, "first_name": "王秀英", "phone_number": "13900001111"},
        method_code=pickup_code(run),
    )

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.user == customer and order.shipping_address.first_name == "王秀英"


@pytest.mark.django_db
def test_a_run_that_closes_while_the_buyer_fills_the_page_takes_no_order(
    client, eggs, run, later_run
):
    add_to_basket(client, eggs, 10)
    client.get(reverse("checkout:confirm"))
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = confirm(client, **GUEST, method_code=pickup_code(run))

    assert response.status_code == 200
    html = page_text(response)
    assert "截单" in html
    assert pickup_code(later_run) in html  # the run still taking orders is offered
    assert not Order.objects.exists()
    assert stock_of(eggs) == (100, 0)

    response = confirm(client, **GUEST, method_code=pickup_code(later_run))
    assert response.status_code == 302 and Order.objects.get().run_link.run == later_run


@pytest.mark.django_db
def test_empty_basket_is_sent_back_to_the_basket(client, eggs):
    response = client.get(reverse("checkout:confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")
    response = confirm(client, **GUEST, method_code="anything")
    assert response.status_code == 302 and not Order.objects.exists()


@pytest.mark.django_db
def test_a_car_filled_by_another_buyer_after_the_page_was_shown_is_refused_under_the_lock(
    client, team, run
):
    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("5"))
    add_to_basket(client, chickens, 2)  # 3 kg of the 5
    assert pickup_code(run) in page_text(client.get(reverse("checkout:confirm")))
    make_order(DeliveryRun.objects.get(pk=run.pk), [(chickens, 2)], email="other@example.cn")

    response = confirm(client, **GUEST, method_code=pickup_code(run))

    assert response.status_code == 200
    assert "只能再装约 2.0 公斤" in page_text(response)
    assert not Order.objects.filter(guest_email="Lin@example.cn").exists()
    assert stock_of(chickens) == (50, 2)  # the other buyer's two; nothing held for this basket


@pytest.mark.django_db
def test_the_gateway_leads_guests_and_new_accounts_to_the_order_confirmation(client, eggs):
    add_to_basket(client, eggs, 10)
    guest = client.post(
        reverse("checkout:index"), {"username": "lin@example.cn", "options": "anonymous"}
    )
    assert guest["Location"] == reverse("checkout:confirm")
    assert 'value="lin@example.cn"' in page_text(client.get(reverse("checkout:confirm")))

    new = client.post(reverse("checkout:index"), {"username": "lin@example.cn", "options": "new"})
    assert new["Location"].startswith(reverse("customer:register") + "?")
    assert "next=%2Fshop%2Fcheckout%2Fconfirm%2F" in new["Location"]


@pytest.mark.django_db
def test_a_reason_two_runs_share_is_said_once(client, team, eggs, run, later_run):
    zone = DeliveryZoneFactory(team=team, name="城关镇", minimum_order=D("30.00"))
    run.zones.add(zone)
    later_run.zones.add(zone)
    add_to_basket(client, eggs, 10)  # ¥15, below the zone's minimum on both runs

    page = page_text(client.get(reverse("checkout:confirm")))

    assert page.count("城关镇 满 ¥30.00 送货上门，您的订单 ¥15.00。") == 1
    assert pickup_code(run) in page and pickup_code(later_run) in page


@pytest.mark.django_db
def test_looking_at_the_page_starts_no_session_for_a_new_visitor(client, eggs, run):
    add_to_basket(client, eggs, 10)
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)

    page = client.get(reverse("checkout:confirm"))

    assert page.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in page.cookies  # nothing was written
    placed = confirm(client, **GUEST, method_code=pickup_code(run))
    assert settings.SESSION_COOKIE_NAME in placed.cookies  # the submit keeps the order's id
    assert Order.objects.get().number in page_text(client.get(reverse("checkout:thank-you")))
