"""Ordering under an institution at checkout: only its members may, only they see its
private drop-off (the canteen door) and the monthly transfer; bulk baskets for them."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.institutions.models import InstitutionOrder
from shop.payment.methods import BANK_TRANSFER, PAY_ON_PICKUP
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")

WHO = {"first_name": "护士长周敏", "phone_number": "13812345678", "line1": "", "line4": ""}


def confirm(client, **data):
    return client.post(reverse("checkout:confirm"), {**WHO, **data})


@pytest.mark.django_db
def test_member_orders_for_the_institution_to_the_canteen_and_pays_by_monthly_transfer(
    client, eggs, run, hospital, canteen, staff_member
):
    client.force_login(staff_member)
    add_to_basket(client, eggs, 20)
    page = client.get(reverse("checkout:confirm")).content.decode()
    assert "以单位名义下单" in page and "县人民医院工会" in page
    assert pickup_code(run, canteen) in page and "县人民医院职工食堂后门" in page
    assert f'value="{BANK_TRANSFER}"' in page and "对公转账（月结）" in page

    response = confirm(
        client,
        institution=hospital.pk,
        method=BANK_TRANSFER,
        method_code=pickup_code(run, canteen),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    link = InstitutionOrder.objects.get(order=order)
    assert link.institution == hospital and link.placed_by == staff_member
    assert order.run_link.pickup.point == canteen
    assert order.sources.get().source_type.code == BANK_TRANSFER
    mine = client.get(reverse("institutions:mine")).content.decode()
    assert order.number in mine


@pytest.mark.django_db
def test_member_may_still_order_for_themselves(client, eggs, run, hospital, staff_member):
    client.force_login(staff_member)
    add_to_basket(client, eggs, 2)
    response = confirm(client, institution="", method=PAY_ON_PICKUP, method_code=pickup_code(run))
    assert response.status_code == 302
    assert not InstitutionOrder.objects.exists() and Order.objects.count() == 1


@pytest.mark.django_db
def test_monthly_transfer_without_the_institution_is_refused_with_a_reason(
    client, eggs, run, hospital, staff_member
):
    client.force_login(staff_member)
    add_to_basket(client, eggs, 2)
    response = confirm(client, institution="", method=BANK_TRANSFER, method_code=pickup_code(run))
    assert response.status_code == 200
    assert "对公转账（月结）只用于以单位名义下的订单" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_non_member_sees_neither_the_institution_nor_its_drop_off_nor_the_transfer(
    client, eggs, run, hospital, canteen, customer
):
    client.force_login(customer)
    add_to_basket(client, eggs, 2)
    page = client.get(reverse("checkout:confirm")).content.decode()
    assert "以单位名义下单" not in page and "县人民医院工会" not in page
    assert pickup_code(run, canteen) not in page and "职工食堂" not in page
    assert BANK_TRANSFER not in page

    forged = confirm(
        client, institution=hospital.pk, method=PAY_ON_PICKUP, method_code=pickup_code(run)
    )
    assert forged.status_code == 200
    assert "您不是这个单位的成员，不能以它的名义下单。" in forged.content.decode()

    transfer = confirm(client, method=BANK_TRANSFER, method_code=pickup_code(run))
    assert transfer.status_code == 200 and "请选择付款方式。" in transfer.content.decode()

    door = confirm(client, method=PAY_ON_PICKUP, method_code=pickup_code(run, canteen))
    assert door.status_code == 200
    assert "这个批次已不能选" in door.content.decode()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_guest_is_not_offered_the_private_drop_off(client, eggs, run, hospital, canteen):
    add_to_basket(client, eggs, 2)
    page = client.get(reverse("checkout:confirm")).content.decode()
    assert pickup_code(run) in page and pickup_code(run, canteen) not in page


@pytest.mark.django_db
def test_members_may_put_bulk_quantities_in_the_basket_residents_may_not(
    client, team, run, hospital, staff_member, customer
):
    rice = product_in_stock(team=team, title="小米", stock=2000)
    client.force_login(customer)
    refused = client.post(
        reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 600}, follow=True
    )
    assert "一张订单最多 500 件，购物车里已有 0 件。" in refused.content.decode()
    assert Basket.objects.get(owner=customer).num_items == 0
    client.force_login(staff_member)
    add_to_basket(client, rice, 600)
    assert Basket.objects.get(owner=staff_member).num_items == 600
