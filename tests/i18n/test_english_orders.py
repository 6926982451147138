"""An order placed on the Chinese site reads in English under /en/: its shipping method
(stored as checkout named it, e.g. 自提：...), the payment events on the dashboard's line
page and the message after a coordinator moves the whole order on. What is stored stays."""

import html as html_lib
import re

import pytest
from django.utils import translation
from oscar.core.loading import get_model

from tests.dashboard.factories import coordinator
from tests.fulfilment.factories import DeliveryZoneFactory
from tests.i18n.test_english_statuses import chinese_left, en, signed_in_order, zh
from tests.order.factories import make_order as place_run_order

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_order(client, customer, eggs, pickup_point):
    """A signed-in buyer's pay-on-pickup order, placed through the Chinese checkout."""
    order = signed_in_order(client, customer, eggs, pickup_point, zh)
    assert order.shipping_method.startswith("自提：县人民医院门诊大厅（")
    return order


def pickup_in_english(point):
    with translation.override("en"):
        return f"Pickup: {point.name} ({point.run_stops.get().window_label})"


def test_buyer_reads_the_pickup_in_english_on_thank_you_and_order_pages(
    client, home_page, chinese_order, pickup_point
):
    english = pickup_in_english(pickup_point)

    thank_you = client.get(en("checkout:thank-you"))
    assert thank_you.status_code == 200
    html = html_lib.unescape(thank_you.content.decode())
    assert english in html  # under the shipping address and in the totals
    assert "自提" not in html

    detail = client.get(en("customer:order", order_number=chinese_order.number))
    # The order page says where and when as the text messages do (shop.buyer.handover).
    shown = html_lib.unescape(detail.content.decode())
    assert "<h2>Pickup</h2>" in shown and pickup_point.name in shown
    assert re.search(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}/\d{1,2} \d\d:\d\d–\d\d:\d\d", shown)
    assert chinese_left(detail) == []

    listing = client.get(en("customer:order-list"))
    assert listing.status_code == 200
    assert chinese_left(listing) == []

    chinese = client.get(zh("customer:order", order_number=chinese_order.number))
    assert "<h2>取货</h2>" in html_lib.unescape(chinese.content.decode())
    stored = Order.objects.get().shipping_method
    assert stored == chinese_order.shipping_method  # as placed, in Chinese


def test_coordinator_reads_the_shipping_method_in_english(
    client, home_page, chinese_order, pickup_point
):
    client.force_login(coordinator())

    detail = client.get(en("dashboard:order-detail", number=chinese_order.number))

    html = html_lib.unescape(detail.content.decode())
    assert f"<td>{pickup_in_english(pickup_point)}</td>" in html
    assert "自提" not in html


def test_guest_reads_home_delivery_in_english(client, home_page, team, eggs, pickup_point):
    run = pickup_point.runs.get()
    zone = DeliveryZoneFactory(team=team, name="城关镇")
    run.zones.add(zone)
    order = place_run_order(run, [(eggs, 20)], zone=zone, email="guest@example.cn")
    assert order.shipping_method.startswith("送货上门：城关镇（")
    session = client.session
    session["anon_order_email"] = "guest@example.cn"
    session.save()

    page = client.get(
        en("customer:anon-order", order_number=order.number, hash=order.verification_hash())
    )

    assert page.status_code == 200
    html = html_lib.unescape(page.content.decode())
    assert "Home delivery (城关镇)" in html
    assert chinese_left(page, words=[zone.name]) == []


def test_a_renamed_pickup_point_reads_the_same_on_the_order_page_and_in_messages(
    client, home_page, chinese_order, pickup_point
):
    """The order page, the text messages and the e-mails take the place from one function
    (shop.buyer.handover.where_and_when): after a rename they all send the buyer to the
    point by its new name, while the order keeps the shipping method it was placed with."""
    from shop.buyer.handover import where_and_when

    placed_with = chinese_order.shipping_method
    pickup_point.name = "县人民医院住院部"
    pickup_point.save()

    html = client.get(en("customer:order", order_number=chinese_order.number)).content.decode()

    assert where_and_when(Order.objects.get())["place"] == "县人民医院住院部"
    assert 'data-testid="handover-place">县人民医院住院部<' in html
    assert Order.objects.get().shipping_method == placed_with


def test_payment_events_on_the_dashboard_line_page_in_english(client, home_page, chinese_order):
    client.force_login(coordinator())
    line = chinese_order.lines.get()
    assert chinese_order.payment_events.filter(event_type__name="应付").exists()

    page = client.get(
        en("dashboard:order-line-detail", number=chinese_order.number, line_id=line.pk)
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "<td>Amount due</td>" in html
    assert "应付" not in html
    chinese = client.get(
        zh("dashboard:order-line-detail", number=chinese_order.number, line_id=line.pk)
    )
    assert "<td>应付</td>" in chinese.content.decode()


def test_order_status_change_message_names_the_statuses_in_english(
    client, home_page, chinese_order
):
    client.force_login(coordinator())

    response = client.post(
        en("dashboard:order-detail", number=chinese_order.number),
        {"order_action": "change_order_status", "new_status": "Confirmed"},
        follow=True,
    )

    chinese_order.refresh_from_db()
    assert chinese_order.status == "已确认"  # stored in Chinese as before
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Order status changed from 'Awaiting confirmation' to 'Confirmed'"]


def test_bulk_status_change_message_names_the_statuses_in_english(client, home_page, chinese_order):
    client.force_login(coordinator())

    response = client.post(
        en("dashboard:order-list"),
        {
            "action": "change_order_statuses",
            "selected_order": [chinese_order.pk],
            "new_status": "Confirmed",
        },
        follow=True,
    )

    chinese_order.refresh_from_db()
    assert chinese_order.status == "已确认"
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Order status changed from 'Awaiting confirmation' to 'Confirmed'"]
