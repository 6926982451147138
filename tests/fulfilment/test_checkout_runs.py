"""Checkout offers each open run's pickup points and zones; full or closed runs are refused."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import supply
from fulfilment.models import DeliveryRun
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket, who_collects
from tests.fulfilment.factories import pickup_code

Order = get_model("order", "Order")


def start_guest_checkout(client, line1=""):
    client.post(reverse("checkout:index"), {"username": "guest@example.cn", "options": "anonymous"})
    return who_collects(client, line1=line1)


def place(client, code):
    client.post(reverse("checkout:shipping-method"), {"method_code": code})
    client.post(reverse("checkout:payment-method"), {"method": "pay-on-pickup"})
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


@pytest.mark.django_db
def test_buyer_sees_every_open_run_with_window_and_fee(client, eggs, run, later_run, zone):
    add_to_basket(client, eggs, 30)
    start_guest_checkout(client, line1="城关镇建设路 12 号")
    page = client.get(reverse("checkout:shipping-method")).content.decode()
    assert pickup_code(run) in page and pickup_code(later_run) in page
    assert "09:00–11:00" in page
    assert f"run-{run.pk}-zone-{zone.pk}" not in page  # the zone is not on these runs yet
    run.zones.add(zone)
    page = client.get(reverse("checkout:shipping-method")).content.decode()
    assert f"run-{run.pk}-zone-{zone.pk}" in page
    assert "¥5.00" in page


@pytest.mark.django_db
def test_home_delivery_only_inside_the_zone_and_above_the_minimum(client, eggs, run, zone):
    run.zones.add(zone)
    add_to_basket(client, eggs, 10)  # ¥15, below the ¥30 minimum
    start_guest_checkout(client, line1="城关镇建设路 12 号")
    page = client.get(reverse("checkout:shipping-method"), follow=True).content.decode()
    assert "满 ¥30.00 送货上门" in page
    place(client, f"run-{run.pk}-zone-{zone.pk}")
    assert not Order.objects.filter(shipping_code__contains="zone").exists()

    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 20})
    start_guest_checkout(client, line1="北岭镇某村")  # outside the zone
    place(client, f"run-{run.pk}-zone-{zone.pk}")
    assert not Order.objects.filter(shipping_code__contains="zone").exists()


@pytest.mark.django_db
def test_home_delivery_order_pays_the_fee_and_is_linked_to_the_run(client, eggs, run, zone):
    run.zones.add(zone)
    add_to_basket(client, eggs, 30)
    start_guest_checkout(client, line1="城关镇建设路 12 号")
    response = place(client, f"run-{run.pk}-zone-{zone.pk}")
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.shipping_incl_tax == D("5.00")
    assert order.total_incl_tax == D("50.00")
    assert order.run_link.run == run and order.run_link.zone == zone


@pytest.mark.django_db
def test_run_past_cutoff_is_not_offered(client, eggs, run, later_run):
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(seconds=1)
    )
    add_to_basket(client, eggs, 10)
    start_guest_checkout(client)
    response = client.get(reverse("checkout:shipping-method"))
    # one run left: Oscar picks it and moves on
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == DeliveryRun.Status.CLOSED


@pytest.mark.django_db
def test_run_closing_between_choice_and_order_refuses_the_order(client, eggs, run):
    add_to_basket(client, eggs, 10)
    start_guest_checkout(client)
    client.post(reverse("checkout:shipping-method"), {"method_code": pickup_code(run)})
    client.post(reverse("checkout:payment-method"), {"method": "pay-on-pickup"})
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)
    assert Order.objects.count() == 0
    assert "截单" in response.content.decode()


@pytest.mark.django_db
def test_basket_heavier_than_what_is_left_in_the_car_is_told_so(client, team, run, pickup_point):
    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("10"))
    add_to_basket(client, chickens, 8)  # 12 kg
    start_guest_checkout(client)
    response = client.get(reverse("checkout:shipping-method"), follow=True)
    page = response.content.decode()
    assert "只能再装约 10.0 公斤" in page and "12.0 公斤" in page
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_full_run_is_skipped_while_a_later_run_still_takes_the_basket(client, team, run, later_run):
    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("2"))
    add_to_basket(client, chickens, 2)
    start_guest_checkout(client)
    client.get(reverse("checkout:shipping-method"))
    response = place(client, pickup_code(later_run))
    assert response.status_code == 302
    assert Order.objects.get().run_link.run == later_run
    assert place(client, pickup_code(run)).status_code != 302 or Order.objects.count() == 1


@pytest.mark.django_db
def test_basket_beyond_this_runs_promised_supply_is_refused(
    client, eggs, run, later_run, households
):
    supply.set_commitment(run, households["poor"], eggs, 20)
    supply.set_commitment(later_run, households["other"], eggs, 60)
    add_to_basket(client, eggs, 30)
    start_guest_checkout(client)
    page = client.get(reverse("checkout:shipping-method"), follow=True).content.decode()
    assert "只剩 20" in page
    assert Order.objects.count() == 0
    response = place(client, pickup_code(later_run))
    assert response.status_code == 302
    assert Order.objects.get().run_link.run == later_run


@pytest.mark.django_db
def test_basket_with_two_teams_products_is_split_on_the_confirmation_page(
    client, eggs, other_team, run
):
    veg = product_in_stock(team=other_team, title="柳河小白菜")
    add_to_basket(client, eggs, 10)
    add_to_basket(client, veg, 1)
    start_guest_checkout(client)
    response = client.get(reverse("checkout:shipping-method"))
    assert response["Location"] == reverse("checkout:confirm")
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="split-part"') == 2
    assert other_team.name in page and "没有还在接单的批次" in page  # it has no run yet
