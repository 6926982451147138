"""钱去了哪里: every order's page names the households its money was credited to (agreed
names only), how the share-out placed them, what each got and whether it was paid; the
packing label's QR code opens the same receipt without sign-in and without the buyer; a
buyer never sees another buyer's order; a tampered token is a 404."""

import datetime
import re
import subprocess
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment import household_page, payouts, receipt, runs, shortfalls, supply
from fulfilment.models import DeliveryRun
from shop.buyer import links
from shop.figures import running
from shop.order import money
from tests.catalogue.factories import product_in_stock
from tests.order.factories import make_order
from tests.partner.factories import UserFactory

S = DeliveryRun.Status
Order = get_model("order", "Order")
BUYER_PHONE = "13812345678"  # what place_order gives every buyer
SECRETS = ("吴秀英", "13900001111", "王秀兰", "13900002222", "司马长顺", "13900003333", "不愿公开")


@pytest.fixture
def village_households(team, households):
    """吴奶奶家 (monitored) agrees to be named; 王大姐家 (formerly poor) too; a third
    (other) does not: it is "a household in 向阳村"."""
    monitored, poor, other = households["monitored"], households["poor"], households["other"]
    Household.objects.filter(pk=monitored.pk).update(real_name="吴秀英", phone="13900001111")
    Household.objects.filter(pk=poor.pk).update(real_name="王秀兰", phone="13900002222")
    Household.objects.filter(pk=other.pk).update(
        public_name="不愿公开的称呼", real_name="司马长顺", phone="13900003333", consent_name=False
    )
    for household in (monitored, poor, other):
        household.refresh_from_db()
    return monitored, poor, other


@pytest.fixture
def orders(run, eggs, village_households, customer):
    """Three households promise 10, 10 and 30 eggs; 张三 (signed in) orders 25 first, then
    李四 (guest) 20."""
    monitored, poor, other = village_households
    supply.set_commitment(run, monitored, eggs, 10)
    supply.set_commitment(run, poor, eggs, 10)
    supply.set_commitment(run, other, eggs, 30)
    now = timezone.now()
    first = make_order(
        run,
        [(eggs, 25)],
        name="张三",
        email="a@example.cn",
        line1="幸福路8号",
        placed=now - datetime.timedelta(hours=2),
    )
    Order.objects.filter(pk=first.pk).update(user=customer)
    first.refresh_from_db()
    second = make_order(
        run,
        [(eggs, 20)],
        name="李四",
        email="b@example.cn",
        placed=now - datetime.timedelta(hours=1),
    )
    return first, second


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _receipt_html(html):
    match = re.search(r'<section class="receipt".*?</section>', html, re.S)
    assert match, "the page shows 钱去了哪里"
    return match.group(0)


@pytest.mark.django_db
def test_before_the_cut_off_the_page_says_shared_out_later(client, orders, customer):
    first, second = orders
    client.force_login(customer)
    html = client.get(f"/shop/accounts/orders/{first.number}/").content.decode()
    part = _receipt_html(html)
    assert "截单后分配到户" in part
    assert "¥" not in part
    guest = client.get(links.order_path(second)).content.decode()
    assert "截单后分配到户" in _receipt_html(guest)


@pytest.mark.django_db
def test_after_the_cut_off_each_line_names_its_households_priority_first(
    client, run, orders, customer, village_households
):
    monitored, poor, other = village_households
    first, second = orders
    runs.change_status(run, S.CLOSED)
    mine = receipt.for_order(first)
    assert mine.allocated
    names = [share.name for share in mine.lines[0].shares]
    # priority households fill the earliest order first: 10 + 10, then 5 from the others
    assert names == ["吴奶奶家", "王大姐家", "向阳村的一户农户"]
    assert [share.quantity for share in mine.lines[0].shares] == [10, 10, 5]
    assert [share.priority for share in mine.lines[0].shares] == [True, True, False]
    assert mine.credited == D("37.50") == money.of(first).goods_due
    assert [h.pay_state for h in mine.households] == [receipt.AFTER_DELIVERY] * 3
    client.force_login(customer)
    part = _receipt_html(client.get(f"/shop/accounts/orders/{first.number}/").content.decode())
    text = _text(part)
    assert "吴奶奶家" in text and "王大姐家" in text and "向阳村的一户农户" in text
    assert "¥15.00" in text and "¥7.50" in text and "¥37.50" in text
    assert "优先户" in text and "送达后付给农户" in text
    for secret in SECRETS:
        assert secret not in part
    # the later order got only the household that does not want its name shown
    theirs = receipt.for_order(second)
    assert [s.name for s in theirs.lines[0].shares] == ["向阳村的一户农户"]
    assert theirs.credited == D("30.00")


@pytest.mark.django_db
def test_a_cut_and_a_payout_show_on_the_receipt(
    client, run, eggs, orders, village_households, member
):
    monitored, poor, other = village_households
    first, second = orders
    runs.change_status(run, S.CLOSED)
    shortfalls.record_shortfall(run, other, eggs, 25)  # 李四's 20 are cut, then 5 of 张三's
    DeliveryRun.objects.filter(pk=run.pk).update(status=S.DONE)
    run.refresh_from_db()
    statement = next(s for s in payouts.for_run(run) if s.household == monitored)
    payout = payouts.mark_paid(statement, member)
    mine = receipt.for_order(first)
    assert mine.credited == money.of(first).goods - money.of(first).cuts == D("30.00")
    states = {h.name: (h.pay_state, h.paid_at) for h in mine.households}
    assert states["吴奶奶家"] == (receipt.PAID, payout.paid_at)
    assert states["王大姐家"] == (receipt.TO_PAY, None)
    html = client.get(links.order_path(first)).content.decode()
    text = _text(_receipt_html(html))
    assert "已付给农户" in text and "待付给农户" in text
    assert receipt.for_order(second).credited == D("0.00")


@pytest.mark.django_db
def test_label_qr_opens_the_receipt_without_the_buyer(client, run, orders, member):
    first, second = orders
    runs.change_status(run, S.CLOSED)
    client.force_login(member)
    packing = client.get(
        reverse("fulfilment:run-document", args=[run.pk, "packing"])
    ).content.decode()
    assert packing.count('data-testid="receipt-qr"') == 2
    assert "<svg" in packing
    client.logout()
    response = client.get(receipt.path_for(first))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert "吴奶奶家" in html and "¥37.50" in html and "散养土鸡蛋" in html
    for buyer in ("张三", "李四", BUYER_PHONE, "幸福路8号", "example.cn", *SECRETS):
        assert buyer not in html, buyer
    english = client.get(receipt.path_for(first, "en"))
    assert english.status_code == 200
    assert "Where the money went" in english.content.decode()


@pytest.mark.django_db
def test_packing_pdf_label_carries_the_receipt_qr(client, run, orders, member):
    runs.change_status(run, S.CLOSED)
    client.force_login(member)
    response = client.get(
        reverse("fulfilment:run-document", args=[run.pk, "packing"]) + "?format=pdf"
    )
    assert response.status_code == 200
    try:
        images = subprocess.run(
            ["pdfimages", "-list", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
    except (FileNotFoundError, subprocess.CalledProcessError):
        assert response.content.count(b"/Subtype /Image") >= 2
        return
    assert len(images.strip().splitlines()) - 2 == 2  # header lines, then one image per label


@pytest.mark.django_db
def test_tampered_or_other_salt_tokens_are_404(client, orders):
    first, second = orders
    token = receipt.token_for(first)
    number, signature = token.rsplit(":", 1)
    assert client.get(f"/r/{token}/").status_code == 200
    assert client.get(f"/r/{second.number}:{signature}/").status_code == 404
    assert client.get(f"/r/{number}:{signature[:-1]}x/").status_code == 404
    assert client.get(f"/r/{first.number}/").status_code == 404
    # the buyer's own order link (name, phone) does not open as a receipt, nor the reverse
    assert client.get(f"/r/{links.order_token(first)}/").status_code == 404
    assert client.get(f"/shop/orders/o/{token}/").status_code == 404


@pytest.mark.django_db
def test_buyer_cannot_see_another_buyers_receipt(client, run, orders, customer):
    first, second = orders
    runs.change_status(run, S.CLOSED)
    Order.objects.filter(pk=second.pk).update(user=UserFactory(username="other-buyer"))
    client.force_login(customer)
    assert client.get(f"/shop/accounts/orders/{first.number}/").status_code == 200
    assert client.get(f"/shop/accounts/orders/{second.number}/").status_code == 404
    client.logout()
    signin = client.get(f"/shop/accounts/orders/{first.number}/")
    assert signin.status_code == 302


@pytest.mark.django_db
def test_query_count_of_the_order_pages_does_not_grow_with_lines(
    client, team, run, village_households, customer
):
    monitored = village_households[0]

    def order_with(count):
        products = [
            product_in_stock(team=team, title=f"菜{count}-{n}", stock=50) for n in range(count)
        ]
        for product in products:
            supply.set_commitment(run, monitored, product, 10)
        order = make_order(run, [(p, 2) for p in products], email=f"{count}@example.cn")
        Order.objects.filter(pk=order.pk).update(user=customer)
        return order

    small, large = order_with(1), order_with(6)
    runs.change_status(run, S.CLOSED)
    client.force_login(customer)

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for path_of in (
        lambda o: f"/shop/accounts/orders/{o.number}/",
        links.order_path,
        receipt.path_for,
    ):
        count(path_of(small))  # warm what every page reads once per process
        few = count(path_of(small))
        many = count(path_of(large))
        assert len(receipt.for_order(large).lines) == 6
        assert many == few, (path_of(large), few, many)


@pytest.mark.django_db
def test_revoked_household_link_is_gone_and_receipt_links_no_household_page(
    client, run, orders, village_households
):
    monitored = village_households[0]
    runs.change_status(run, S.CLOSED)
    html = client.get(receipt.path_for(orders[0])).content.decode()
    # a receipt never hands out a household's private link (its QR is a base64 image,
    # whose text may hold "/h/" by chance: look at the addresses only)
    assert not re.search(r'(href|src|action)="[^"]*/h/', html)
    old = household_page.live_link(monitored)
    household_page.renew(monitored)
    assert client.get(f"/h/{old.token}/").status_code == 404


@pytest.mark.django_db
def test_impact_household_figures_are_the_receipts_and_payouts(
    run, eggs, orders, village_households, member
):
    from django.template.loader import render_to_string
    from django.utils import translation

    from content import impact

    monitored = village_households[0]
    runs.change_status(run, S.CLOSED)
    before = impact.build_report()
    assert before.households_credited == 0 and before.credited == 0  # not delivered yet
    DeliveryRun.objects.filter(pk=run.pk).update(status=S.DONE)
    running.runs_changed([run.pk])  # done past the run's own move: the figures are told
    run.refresh_from_db()
    payouts.mark_paid(next(s for s in payouts.for_run(run) if s.household == monitored), member)
    report = impact.build_report()
    credited = sum((receipt.for_order(o).credited for o in orders), D("0"))
    assert report.credited == credited == D("67.50")
    assert report.households_credited == 3
    assert report.households_paid == 1 and report.totals.paid == D("15.00")
    with translation.override("en"):
        html = render_to_string("content/includes/impact_households.html", {"report": report})
    assert "67.50" in html and "Households paid" in html


@pytest.mark.django_db
def test_english_receipt_speaks_english_and_stays_under_en(client, run, orders, customer):
    first = orders[0]
    runs.change_status(run, S.CLOSED)
    client.force_login(customer)
    html = client.get(f"/en/shop/accounts/orders/{first.number}/").content.decode()
    part = _receipt_html(html)
    cjk = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
    names = ("吴奶奶家", "王大姐家", "向阳村", "散养土鸡蛋")
    spoken = re.sub("|".join(names), "", _text(part))
    assert not cjk.search(spoken), spoken
    assert "Where the money went" in part and "priority" in part
    assert "A household in 向阳村" in part and "Paid to the household after delivery" in part
    link = re.search(r'href="([^"]+)" data-testid="receipt-link"', part).group(1)
    assert link.startswith("/en/r/")
    assert "Where the money went" in client.get(link).content.decode()


def test_no_top_level_page_can_take_the_receipt_address():
    from django.core.exceptions import ValidationError

    from content.models import check_root_slug

    with pytest.raises(ValidationError):
        check_root_slug("r", parent_depth=2)
