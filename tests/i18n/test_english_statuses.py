"""English pages show no Chinese but the shop's data: order statuses, payment events,
punctuation and share metadata come out in English, while the stored values stay Chinese.

Product, team, village, household and pickup-point names, page titles and the buyer's own
address are Chinese by design; everything else on an /en/ page must be English. The check
reads what a person sees: text, and the title/alt/placeholder/aria-label/content attributes.
"""

import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from tests.checkout.test_checkout import who_collects
from tests.dashboard.factories import coordinator
from tests.partner.factories import team_member

Order = get_model("order", "Order")
Line = get_model("order", "Line")

pytestmark = pytest.mark.django_db

HAN = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
READABLE_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label|content)="([^"]*)"')


def data_strings():
    """Everything the shop stores in Chinese on purpose, longest first."""
    from catalogue.models import Household, Village
    from content.models import HomePage
    from fulfilment.models import PickupPoint

    Partner = get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    ShippingAddress = get_model("order", "ShippingAddress")
    OrderNote = get_model("order", "OrderNote")
    Page = get_model("wagtailcore", "Page")
    Country = get_model("address", "Country")

    strings = {"中文"}  # the link back to the Chinese site
    for model, fields in (
        (Product, ("title", "description")),
        (Partner, ("name", "institution")),
        (Village, ("name",)),
        (Household, ("public_name",)),
        (PickupPoint, ("name", "address")),
        (Page, ("title",)),
        (HomePage, ("hero_title", "hero_text")),
        (ShippingAddress, ("first_name", "line1", "line4")),
        (Country, ("printable_name", "name")),
        (Line, ("title", "partner_name")),
        # Order history notes are sentences written once, in Chinese, when things happen.
        (OrderNote, ("message",)),
    ):
        for row in model.objects.values_list(*fields):
            strings.update(value for value in row if value)
    for village in Village.objects.all():
        strings.add(village.full_place)
    return sorted(strings, key=len, reverse=True)


def chinese_left(page, words=()):
    """Chinese a reader of ``page`` sees that is not the shop's data (nor ``words``, what
    the buyer typed)."""
    text = page.content.decode() if hasattr(page, "content") else page
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    readable = READABLE_ATTRIBUTES.findall(text)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", text) + "\n" + "\n".join(readable))
    for value in [*data_strings(), *words]:
        text = text.replace(value, "\n")
    return sorted({line.strip() for line in re.findall(r"[^\n]*" + HAN + r"[^\n]*", text)})


def zh(name, **kwargs):
    """A Chinese URL (a previous English request must not leak into ``reverse``)."""
    with translation.override("zh-hans"):
        return reverse(name, kwargs=kwargs or None)


def en(name, **kwargs):
    return "/en" + zh(name, **kwargs)


def signed_in_order(client, customer, eggs, pickup_point, url):
    """``customer`` buys ten eggs for pickup, paying on pickup, through the checkout in the
    language ``url`` (``zh`` or ``en``) gives."""
    client.force_login(customer)
    client.post(url("basket:add", pk=eggs.pk), {"quantity": 10})
    who_collects(client, path=url("checkout:shipping-address"))
    client.post(
        url("checkout:shipping-method"), {"method_code": pickup_point.run_stops.get().shipping_code}
    )
    client.post(url("checkout:payment-method"), {"method": "pay-on-pickup"})
    client.post(url("checkout:preview"), {"action": "place_order"}, follow=True)  # reads messages
    return Order.objects.get()


@pytest.fixture
def buyers_order(client, customer, eggs, pickup_point):
    """A signed-in buyer's pay-on-pickup order, placed through the English checkout."""
    return signed_in_order(client, customer, eggs, pickup_point, en)


def test_buyer_pages_in_english_show_only_data_in_chinese(client, home_page, eggs, team):
    pages = {
        "home": "/en/",
        "catalogue": en("catalogue:index"),
        "product": "/en" + eggs.get_absolute_url(),
        "search": en("site-search") + "?q=土鸡蛋",
        "team": en("origin:team", slug=team.slug or team.code),
        "login": en("customer:login"),
    }
    client.post(en("basket:add", pk=eggs.pk), {"quantity": 2})
    pages["basket"] = en("basket:summary")
    left = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        # the search words, also as found in the highlighted title
        left[name] = chinese_left(response, words=["土鸡蛋", "散养"])
    assert left == {name: [] for name in pages}


def test_product_page_head_and_labels_in_english(client, home_page, eggs):
    zh_url = eggs.get_absolute_url()
    html = client.get("/en" + zh_url).content.decode()
    assert '<meta property="og:site_name" content="521 Farm Aid Shop">' in html
    assert "Quantity (" in html and "Work team: " in html
    zh = client.get(zh_url).content.decode()
    assert '<meta property="og:site_name" content="521助农小店">' in zh
    assert "数量（" in zh and "工作队：" in zh


def test_buyers_order_page_names_status_and_payments_in_english(client, home_page, buyers_order):
    response = client.get(en("customer:order", order_number=buyers_order.number))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Awaiting confirmation" in html
    assert 'data-testid="order-status">Awaiting confirmation<' in html
    assert "Amount due" in html  # the payment event, stored as 应付
    assert chinese_left(response) == []
    buyers_order.refresh_from_db()
    assert buyers_order.status == "待确认"  # stored as before

    chinese = client.get(zh("customer:order", order_number=buyers_order.number))
    assert 'data-testid="order-status">待确认<' in chinese.content.decode()


def test_team_members_order_list_and_detail_in_english(client, team, home_page, buyers_order):
    member = team_member(team)
    client.force_login(member)

    listing = client.get(en("dashboard:order-list"))
    assert listing.status_code == 200
    rows = listing.content.decode().split('data-test="team-orders"')[1].split("</table>")[0]
    assert "Awaiting confirmation" in rows and "待确认" not in rows
    # The status filter keeps the stored value and shows the label.
    assert '<option value="待确认">Awaiting confirmation</option>' in listing.content.decode()
    assert chinese_left(listing) == []

    filtered = client.get(en("dashboard:order-list"), {"status": "待确认"})
    assert buyers_order.number in filtered.content.decode()
    assert "Awaiting confirmation" in filtered.content.decode()
    assert chinese_left(filtered) == []

    detail = client.get(en("dashboard:order-detail", number=buyers_order.number))
    assert detail.status_code == 200
    assert '<option value="已确认">Confirmed</option>' in detail.content.decode()
    assert chinese_left(detail) == []

    # Choosing the English label still moves the line on to the stored status.
    line = buyers_order.lines.get()
    changed = client.post(
        en("dashboard:order-detail", number=buyers_order.number),
        {
            "line_action": "change_line_statuses",
            "new_status": "已确认",
            "selected_line": [line.pk],
            f"selected_line_qty_{line.pk}": line.quantity,
        },
        follow=True,
    )
    line.refresh_from_db()
    assert line.status == "已确认"
    html = html_lib.unescape(changed.content.decode())
    assert f"Status of line #{line.pk} changed from 'Awaiting confirmation' to 'Confirmed'" in html
    audit = client.get(en("dashboard:desk-audit")).content.decode()
    assert "Awaiting confirmation → Confirmed" in audit and "待确认" not in audit


def test_coordinators_order_pages_in_english(client, team, home_page, buyers_order):
    client.force_login(coordinator())

    listing = client.get(en("dashboard:order-list"))
    html = listing.content.decode()
    assert "Awaiting confirmation" in html
    assert re.search(r"<option>\s*Confirmed\s*</option>", html)  # the bulk status change
    assert chinese_left(listing) == []

    detail = client.get(en("dashboard:order-detail", number=buyers_order.number))
    html = detail.content.decode()
    assert "Awaiting confirmation" in html
    assert re.search(r"<option>\s*Confirmed\s*</option>", html)  # Oscar's line status select
    assert chinese_left(detail) == []

    line = buyers_order.lines.get()
    line_page = client.get(
        en("dashboard:order-line-detail", number=buyers_order.number, line_id=line.pk)
    )
    assert "Awaiting confirmation" in line_page.content.decode()

    stats = client.get(en("dashboard:order-stats"))
    assert stats.status_code == 200
    assert "Awaiting confirmation" in stats.content.decode()

    client.post(
        en("dashboard:order-detail", number=buyers_order.number),
        {"order_action": "change_order_status", "new_status": "已确认"},
    )
    buyers_order.refresh_from_db()
    assert buyers_order.status == "已确认"
    history = client.get(en("dashboard:order-detail", number=buyers_order.number))
    assert "Confirmed" in history.content.decode()
    assert chinese_left(history) == []


def test_chinese_pages_keep_chinese_statuses(client, team, home_page, buyers_order):
    client.force_login(team_member(team))
    html = client.get(zh("dashboard:order-list")).content.decode()
    assert '<option value="待确认">待确认</option>' in html
    assert "Awaiting confirmation" not in html


def test_a_status_picked_by_its_english_label_is_stored_in_chinese(
    client, team, home_page, buyers_order
):
    """Oscar's selects post the text they show; on /en/ that is the label."""
    client.force_login(coordinator())
    line = buyers_order.lines.get()
    client.post(
        en("dashboard:order-detail", number=buyers_order.number),
        {
            "line_action": "change_line_statuses",
            "selected_line": [line.pk],
            f"selected_line_qty_{line.pk}": line.quantity,
            "new_status": "Confirmed",
        },
    )
    line.refresh_from_db()
    assert line.status == "已确认"
    client.post(
        en("dashboard:order-list"),
        {
            "action": "change_order_statuses",
            "selected_order": [buyers_order.pk],
            "new_status": "Out for delivery",
        },
    )
    buyers_order.refresh_from_db()
    assert buyers_order.status == "配送中"
    page = client.get(en("dashboard:order-detail", number=buyers_order.number)).content.decode()
    assert "Awaiting confirmation → Confirmed" in page or "Confirmed → Out for delivery" in page
