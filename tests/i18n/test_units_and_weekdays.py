"""Units read the same everywhere, and every date a buyer reads carries its weekday.

A product sold by the 箱 shows its stock, price and quantities in 箱 (``box``/``boxes``
in English) on the product page, the basket, the checkout, the order page, the e-mail and
the shortfall text message (``catalogue.units``); run dates, cut-offs and pickup windows
say the weekday (``shop.core.dates``)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from shop.buyer import links
from tests.catalogue.factories import product_in_stock
from tests.order.factories import make_order

ZH_WEEKDAYS = "周一 周二 周三 周四 周五 周六 周日".split()


def zh_day(date):
    return f"{date.month}月{date.day}日 {ZH_WEEKDAYS[date.weekday()]}"


@pytest.fixture
def boxes(team, run):
    """Gift boxes of 30 eggs, sold by the box, 20 boxes for the next run."""
    return product_in_stock(team=team, title="笨鸡蛋 30 枚礼盒", price=48, stock=20, unit="xiang")


def zh(name, **kwargs):
    """A named view's Chinese URL (a previous /en/ request leaves English active here)."""
    with translation.override("zh-hans"):
        return reverse(name, kwargs=kwargs or None)


def en(path):
    return "/en" + path


@pytest.mark.django_db
def test_a_product_sold_by_the_box_counts_in_boxes_on_every_page(client, boxes):
    with translation.override("zh-hans"):
        product_url = boxes.get_absolute_url()
    page = client.get(product_url).content.decode()
    assert "¥48.00 / 箱" in page and "下一趟配送还剩 20 箱" in page and "20 件" not in page
    english = client.get(en(product_url)).content.decode()
    assert "¥48.00 / box" in english and "20 boxes left for the next delivery" in english

    refused = client.post(zh("basket:add", pk=boxes.pk), {"quantity": 25}, follow=True)
    assert "最多还能买 20 箱" in refused.content.decode()

    client.post(zh("basket:add", pk=boxes.pk), {"quantity": 2})
    basket = client.get(zh("basket:summary")).content.decode()
    assert "库存 20 箱" in basket and "库存 20 件" not in basket
    assert '<span class="basket-line__unit">箱</span>' in basket
    english = client.get(en(zh("basket:summary"))).content.decode()
    assert "20 boxes in stock" in english and ">box</span>" in english

    confirm = client.get(zh("checkout:confirm")).content.decode()
    assert "× 2 箱" in confirm


@pytest.mark.django_db
def test_orders_mails_and_texts_count_in_the_products_unit(
    client, run, boxes, pickup_point, monkeypatch
):
    order = make_order(run, [(boxes, 3)], stop=run.stops.get())
    page = client.get(links.order_path(order)).content.decode()
    assert "× 3 箱" in page

    mail = render_to_string(
        "oscar/communication/emails/commtype_order_placed_body.txt", {"order": order}
    )
    assert "× 3 箱" in mail
    with translation.override("en"):
        english_mail = render_to_string(
            "oscar/communication/emails/commtype_order_placed_body.txt", {"order": order}
        )
    assert "× 3 boxes" in english_mail

    from shop import notices
    from shop.notices import sending

    sent = []
    monkeypatch.setattr(
        sending, "notify", lambda order, kind, params, key, **kw: sent.append(params)
    )
    notices.shortfall(order, [(boxes.title, 1, 48, boxes)], key="cut-1")
    assert sent[0]["items"] == "笨鸡蛋 30 枚礼盒少1 箱"


@pytest.mark.django_db
def test_run_days_cutoffs_and_pickup_windows_say_the_weekday(
    client, home_page, run, boxes, pickup_point
):
    day = zh_day(run.date)
    cutoff = timezone.localtime(run.cutoff)
    home = client.get("/").content.decode()
    assert f"{zh_day(cutoff)} {cutoff:%H:%M} 截止下单" in home
    english = client.get("/en/").content.decode()
    assert f"Order by {cutoff:%a} {cutoff.month}/{cutoff.day} {cutoff:%H:%M}" in english

    client.post(zh("basket:add", pk=boxes.pk), {"quantity": 1})
    choices = client.get(zh("checkout:confirm")).content.decode()
    assert f"（{day} 09:00–11:00）" in choices  # the pickup window
    assert f"{zh_day(cutoff)} {cutoff:%H:%M} 截单" in choices

    order = make_order(run, [(boxes, 1)], stop=run.stops.get())
    page = client.get(links.order_path(order)).content.decode()
    assert f"{day} 09:00–11:00" in page
    placed = timezone.localtime(order.date_placed)
    assert f"{zh_day(placed)} {placed:%H:%M}" in page
