"""What checkout keeps between requests (open runs, payment types) never shows a buyer
something stale, and what it keeps within a request (the lines of the order just placed)
is what the database holds."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import runs
from fulfilment.models import DeliveryRun, OrderRun
from shop.order.history import EVENT_DUE
from shop.speed import rows
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import DeliveryRunFactory, pickup_code
from tests.fulfilment.test_checkout_runs import place, start_guest_checkout

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Country = get_model("address", "Country")


@pytest.fixture
def run(pickup_point):
    return pickup_point.runs.get()


def choice_page(product, quantity=2):
    buyer = Client()
    add_to_basket(buyer, product, quantity)
    start_guest_checkout(buyer)
    return buyer, buyer.get(reverse("checkout:shipping-method")).content.decode()


@pytest.mark.django_db
def test_runs_changed_after_a_buyer_looked_show_on_the_next_look(team, pickup_point, run, eggs):
    later = DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )
    _, html = choice_page(eggs)
    assert pickup_code(run) in html and pickup_code(later) in html and "09:00" in html

    stop = later.stops.get()  # the team moves the pickup window
    stop.window_start, stop.window_end = datetime.time(14, 30), datetime.time(16, 0)
    stop.save()
    pickup_point.name = "阳光小区北门"  # and renames the point
    pickup_point.save()
    _, html = choice_page(eggs)
    assert "14:30" in html and "阳光小区北门" in html

    runs.change_status(later, DeliveryRun.Status.CANCELLED)  # a run is called off
    buyer, html = choice_page(eggs)
    assert pickup_code(later) not in html

    newest = DeliveryRunFactory(  # and a new one opens
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=8),
        cutoff=timezone.now() + datetime.timedelta(days=7),
    )
    _, html = choice_page(eggs)
    assert pickup_code(newest) in html and pickup_code(run) in html


@pytest.mark.django_db
def test_a_run_past_its_cutoff_is_never_offered_even_while_remembered(
    team, pickup_point, run, eggs, monkeypatch
):
    later = [
        DeliveryRunFactory(
            team=team,
            stops=[pickup_point],
            date=timezone.localdate() + datetime.timedelta(days=days + 1),
            cutoff=timezone.now() + datetime.timedelta(days=days),
        )
        for days in (4, 6)
    ]
    _, html = choice_page(eggs)
    assert all(pickup_code(r) in html for r in [run, *later])
    # The clock passes the first run's cut-off: nothing is saved, nothing tells the cache,
    # and no job has closed the run yet.
    after_cutoff = run.cutoff + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after_cutoff)
    _, html = choice_page(eggs)
    assert all(pickup_code(r) in html for r in later)
    assert pickup_code(run) not in html


@pytest.mark.django_db
def test_a_deleted_payment_event_type_is_made_again_for_the_next_order(client, eggs, run):
    add_to_basket(client, eggs, 2)
    start_guest_checkout(client)
    assert place(client, pickup_code(run)).status_code == 302
    first = Order.objects.get()
    assert [e.event_type.name for e in first.payment_events.all()] == [EVENT_DUE]

    first.payment_events.all().delete()
    PaymentEventType.objects.filter(name=EVENT_DUE).delete()  # someone tidies the admin

    buyer = Client()
    add_to_basket(buyer, eggs, 3)
    start_guest_checkout(buyer)
    assert place(buyer, pickup_code(run)).status_code == 302
    second = Order.objects.exclude(pk=first.pk).get()
    event = second.payment_events.get()
    assert event.event_type.name == EVENT_DUE and event.amount == second.total_incl_tax


@pytest.mark.django_db
def test_a_row_made_in_a_transaction_that_rolled_back_is_not_remembered(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            rows.get_or_create(PaymentEventType, name="测试类型")
            raise RuntimeError
        assert not PaymentEventType.objects.filter(name="测试类型").exists()
        made = rows.get_or_create(PaymentEventType, name="测试类型")
    assert PaymentEventType.objects.filter(pk=made.pk).exists()
    assert rows.get_or_create(PaymentEventType, name="测试类型").pk == made.pk


@pytest.mark.django_db
def test_an_order_of_two_products_records_both_lines_everywhere(client, team, eggs, run):
    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=20, weight_per_unit_g=1500
    )
    add_to_basket(client, eggs, 4)
    add_to_basket(client, chickens, 2)
    start_guest_checkout(client)
    assert place(client, pickup_code(run)).status_code == 302

    order = Order.objects.get()
    lines = {line.product_id: line for line in order.lines.all()}
    assert {lines[eggs.pk].quantity, lines[chickens.pk].quantity} == {4, 2}
    due = order.payment_events.get()
    assert sorted(
        PaymentEventQuantity.objects.filter(event=due).values_list("line_id", "quantity")
    ) == sorted((line.pk, line.quantity) for line in lines.values())
    link = OrderRun.objects.get(order=order)
    expected_kg = (D(eggs.weight_per_unit_g or 0) * 4 + D(1500) * 2) / 1000
    assert (link.run_id, link.pickup_id) == (run.pk, run.stops.get().pk)
    assert link.weight_kg == expected_kg


@pytest.mark.django_db
def test_a_run_that_fills_up_after_the_buyer_chose_it_refuses_her_order(client, team, run):
    chickens = product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )
    run.capacity_kg = D("10")
    run.save()
    add_to_basket(client, chickens, 4)  # 6 kg: fits when she looks
    start_guest_checkout(client)
    # the only choice, so Oscar takes it for her
    chosen = client.get(reverse("checkout:shipping-method"))
    assert chosen["Location"] == reverse("checkout:payment-method")

    other = Client()  # meanwhile another buyer takes 6 kg of the 10
    add_to_basket(other, chickens, 4)
    start_guest_checkout(other)
    assert place(other, pickup_code(run)).status_code == 302

    response = place(client, pickup_code(run))
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    page = page or response.content.decode()
    assert Order.objects.count() == 1
    assert "只能再装约 4.0 公斤" in page


@pytest.mark.django_db
def test_a_second_shipping_country_shows_the_country_choice_on_the_next_page(
    client, eggs, run, django_capture_on_commit_callbacks
):
    add_to_basket(client, eggs, 2)
    page = client.get(reverse("checkout:confirm")).content.decode()
    assert 'name="country"' not in page  # China only: nothing to choose
    assert 'name="country"' not in client.get(reverse("checkout:confirm")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        Country.objects.update_or_create(
            iso_3166_1_a2="HK",
            defaults={
                "name": "中国香港",
                "printable_name": "中国香港",
                "is_shipping_country": True,
            },
        )

    page = client.get(reverse("checkout:confirm")).content.decode()
    assert '<select name="country"' in page and "中国香港" in page
