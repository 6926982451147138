"""The buyer's standing-order pages: every form posted right and wrong, refusals after a
run is fixed (with nothing changed), and nobody reaches another buyer's standing order."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.standing import schedule
from shop.standing.models import StandingLine, StandingOrder, StandingRun
from tests.catalogue.factories import product_in_stock
from tests.fulfilment.factories import DeliveryRunFactory
from tests.order.factories import make_order
from tests.standing.conftest import standing_for

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def url(name, standing):
    return reverse(f"standing:{name}", kwargs={"pk": standing.pk})


# --- setting one up ----------------------------------------------------------------------


def test_a_guest_is_asked_to_sign_in_first(client, eggs):
    response = client.get(reverse("standing:new") + f"?product={eggs.pk}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("standing:list")).status_code == 302


def test_the_product_page_offers_weekly_and_fortnightly(client, eggs, point, weekly_runs):
    page = client.get(eggs.get_absolute_url()).content.decode()
    assert 'data-testid="standing-offer"' in page
    assert "每周一次" in page and "每两周一次" in page


def test_set_up_from_a_product_page(client_a, buyer_a, eggs, point, weekly_runs):
    start = reverse("standing:new") + f"?product={eggs.pk}&quantity=20&frequency=fortnightly"
    page = client_a.get(start)
    assert page.status_code == 200 and "散养土鸡蛋" in text(page)
    response = client_a.post(
        start,
        {
            "frequency": "weekly",
            f"qty-{eggs.pk}": "20",
            "point": point.pk,
            "name": "林小满",
            "phone": "138 1234 5678",
        },
        follow=True,
    )
    standing = StandingOrder.objects.get(owner=buyer_a)
    assert standing.frequency == "weekly" and standing.phone == "13812345678"
    assert [(line.product, line.quantity) for line in standing.lines.all()] == [(eggs, 20)]
    page = text(response)
    assert "定期订单设好了" in page and "¥30.00" in page
    assert page.count("将自动下单") == 3  # the next three runs


def test_set_up_with_bad_input_shows_why_and_stores_nothing(client_a, eggs, point, weekly_runs):
    start = reverse("standing:new") + f"?product={eggs.pk}"
    response = client_a.post(
        start,
        {"frequency": "daily", f"qty-{eggs.pk}": "-3", "point": "999", "name": " ", "phone": "123"},
    )
    page = text(response)
    assert response.status_code == 200
    for words in ("请选多久一次", "数量不能小于 0", "请选自提点", "请输入正确的 11 位手机号"):
        assert words in page
    assert not StandingOrder.objects.exists()
    response = client_a.post(
        start,
        {
            "frequency": "weekly",
            f"qty-{eggs.pk}": "0",
            "point": point.pk,
            "name": "林",
            "phone": "13812345678",
        },
    )
    assert "请至少选一样商品" in text(response) and not StandingOrder.objects.exists()


def test_a_quantity_off_the_products_step_is_refused(client_a, team, point, weekly_runs):
    boxed = product_in_stock(team=team, title="鸡蛋", order_step=10)
    response = client_a.post(
        reverse("standing:new") + f"?product={boxed.pk}",
        {
            "frequency": "weekly",
            f"qty-{boxed.pk}": "15",
            "point": point.pk,
            "name": "林",
            "phone": "13812345678",
        },
    )
    assert "要按 10 的倍数订" in text(response) and not StandingOrder.objects.exists()


def test_set_up_from_the_basket(client_a, buyer_a, eggs, chicken, point, weekly_runs):
    client_a.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 30})
    client_a.post(reverse("basket:add", kwargs={"pk": chicken.pk}), {"quantity": 1})
    basket_page = client_a.get(reverse("basket:summary")).content.decode()
    assert "以后每周都要这些" in basket_page
    start = reverse("standing:new") + "?from=basket"
    form = client_a.get(start)
    assert f'name="qty-{eggs.pk}"' in form.content.decode()
    client_a.post(
        start,
        {
            "frequency": "weekly",
            f"qty-{eggs.pk}": "30",
            f"qty-{chicken.pk}": "1",
            "point": point.pk,
            "name": "林小满",
            "phone": "13812345678",
        },
    )
    standing = StandingOrder.objects.get(owner=buyer_a)
    assert {line.product: line.quantity for line in standing.lines.all()} == {eggs: 30, chicken: 1}


def test_a_basket_of_two_teams_is_refused(client_a, eggs, other_team, point, weekly_runs):
    other = product_in_stock(team=other_team, title="柳河村小米")
    client_a.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10})
    client_a.post(reverse("basket:add", kwargs={"pk": other.pk}), {"quantity": 1})
    response = client_a.get(reverse("standing:new") + "?from=basket", follow=True)
    assert "只能订同一个工作队的商品" in text(response)
    assert not StandingOrder.objects.exists()


def test_set_up_from_a_placed_order_only_from_ones_own(
    client_a, client_b, buyer_a, eggs, point, weekly_runs
):
    order = make_order(weekly_runs[0], [(eggs, 12)])
    order.user = buyer_a
    order.save()
    start = reverse("standing:new") + f"?order={order.number}"
    assert client_b.get(start).status_code == 404
    assert 'value="12"' in client_a.get(start).content.decode()


# --- the standing order's page ----------------------------------------------------------


@pytest.fixture
def mine(buyer_a, point, eggs, weekly_runs):
    return standing_for(buyer_a, point, [(eggs, 20)])


def test_skip_and_take_the_skip_back(client_a, mine, weekly_runs):
    run = weekly_runs[1]
    response = client_a.post(url("skip", mine), {"run": run.pk}, follow=True)
    assert "这一次跳过" in text(response)
    assert StandingRun.objects.get(standing=mine, run=run).state == "skipped"
    assert 'data-state="skipped"' in response.content.decode()
    response = client_a.post(url("unskip", mine), {"run": run.pk}, follow=True)
    assert "照常下单" in text(response)
    assert not StandingRun.objects.exists()
    response = client_a.post(url("skip", mine), {"run": "x"}, follow=True)
    assert "请选一趟车" in text(response) and not StandingRun.objects.exists()


def test_pause_resume_and_stop(client_a, mine):
    response = client_a.post(url("status", mine), {"status": "paused"}, follow=True)
    assert "已暂停" in text(response) and text(response).count("暂停中，不下单") == 3
    client_a.post(url("status", mine), {"status": "active"})
    mine.refresh_from_db()
    assert mine.status == "active"
    response = client_a.post(url("status", mine), {"status": "nonsense"}, follow=True)
    assert "请选暂停、恢复或停止" in text(response)
    client_a.post(url("status", mine), {"status": "stopped"})
    response = client_a.post(url("status", mine), {"status": "active"}, follow=True)
    assert "已经停止，不能再改" in text(response)
    mine.refresh_from_db()
    assert mine.status == "stopped"


def test_change_quantities_right_and_wrong(client_a, mine, team, point):
    line = mine.lines.get()
    response = client_a.post(url("quantities", mine), {f"qty-{line.pk}": "30"}, follow=True)
    assert "数量改好了" in text(response) and "¥45.00" in text(response)
    line.refresh_from_db()
    assert line.quantity == 30
    response = client_a.post(url("quantities", mine), {f"qty-{line.pk}": "abc"})
    assert response.status_code == 200 and "请填一个整数" in text(response)
    response = client_a.post(url("quantities", mine), {f"qty-{line.pk}": "0"})
    assert "至少要留一样商品" in text(response)
    line.refresh_from_db()
    assert line.quantity == 30


# --- after the cut-off -------------------------------------------------------------------


@pytest.fixture
def fixed_run(team, point):
    """A run whose standing orders are fixed already (cut-off in 5 minutes)."""
    return DeliveryRunFactory(
        team=team,
        stops=[point],
        date=timezone.localdate() + datetime.timedelta(days=1),
        cutoff=timezone.now() + datetime.timedelta(minutes=5),
    )


@pytest.fixture
def older(buyer_a, point, eggs, fixed_run):
    """A standing order set up yesterday, so ``fixed_run`` is one of its runs."""
    standing = standing_for(buyer_a, point, [(eggs, 20)])
    StandingOrder.objects.filter(pk=standing.pk).update(
        created=timezone.now() - datetime.timedelta(days=1),
        first_week=schedule.monday(timezone.localdate() - datetime.timedelta(days=1)),
    )
    standing.refresh_from_db()
    return standing


def test_changes_after_a_run_is_fixed_are_refused_and_change_nothing(client_a, older, fixed_run):
    response = client_a.post(url("skip", older), {"run": fixed_run.pk}, follow=True)
    assert "已过修改时间" in text(response) and "不能再跳过" in text(response)
    assert not StandingRun.objects.exists()
    response = client_a.post(url("status", older), {"status": "paused"}, follow=True)
    assert "截单后再改" in text(response)
    line = older.lines.get()
    response = client_a.post(url("quantities", older), {f"qty-{line.pk}": "40"})
    assert "截单后再改" in text(response)
    older.refresh_from_db()
    line.refresh_from_db()
    assert older.status == "active" and line.quantity == 20
    assert 'data-state="placing"' in client_a.get(url("detail", older)).content.decode()


def test_a_placed_run_cannot_be_skipped(
    client_a, older, fixed_run, django_capture_on_commit_callbacks
):
    from shop.standing import placing

    with django_capture_on_commit_callbacks(execute=True):
        placing.place_due()
    response = client_a.post(url("skip", older), {"run": fixed_run.pk}, follow=True)
    assert "已过修改时间" in text(response)
    assert StandingRun.objects.get().state == "placed"
    # Once placed, the rest of the order can be changed again.
    response = client_a.post(url("status", older), {"status": "paused"}, follow=True)
    assert "已暂停" in text(response)


# --- another buyer's standing order -------------------------------------------------------


def test_another_buyer_cannot_see_or_change_it(client_b, mine, weekly_runs):
    line = mine.lines.get()
    assert client_b.get(url("detail", mine)).status_code == 404
    assert "散养土鸡蛋" not in text(client_b.get(reverse("standing:list")))
    for name, data in (
        ("skip", {"run": weekly_runs[0].pk}),
        ("unskip", {"run": weekly_runs[0].pk}),
        ("status", {"status": "stopped"}),
        ("quantities", {f"qty-{line.pk}": "99"}),
    ):
        assert client_b.post(url(name, mine), data).status_code == 404
    mine.refresh_from_db()
    line.refresh_from_db()
    assert mine.status == "active" and line.quantity == 20
    assert not StandingRun.objects.exists()


def test_a_line_of_another_standing_order_is_not_changed(client_a, mine, buyer_b, point, eggs):
    theirs = standing_for(buyer_b, point, [(eggs, 10)])
    their_line = theirs.lines.get()
    client_a.post(url("quantities", mine), {f"qty-{their_line.pk}": "99"})
    assert StandingLine.objects.get(pk=their_line.pk).quantity == 10


def test_the_list_shows_my_standing_orders_with_their_next_runs(client_a, mine, weekly_runs):
    page = text(client_a.get(reverse("standing:list")))
    assert "每周一次" in page and "散养土鸡蛋" in page and "¥30.00" in page
    assert page.count("将自动下单") == 3
    menu = client_a.get(reverse("customer:order-list")).content.decode()
    assert reverse("standing:list") in menu


def test_the_pages_under_en_are_english(client_a, mine, weekly_runs, eggs):
    from bs4 import BeautifulSoup

    from tests.i18n.test_english_crawl import chinese_spoken, links_leaving_english, proper_names

    client_a.post(url("skip", mine), {"run": weekly_runs[1].pk})
    names = [name for name in proper_names() if name] + ["林小满", mine.point.name]
    for path in (
        reverse("standing:list"),
        url("detail", mine),
        reverse("standing:new") + f"?product={eggs.pk}",
    ):
        response = client_a.get("/en" + path)
        assert response.status_code == 200, path
        soup = BeautifulSoup(response.content, "html.parser")
        assert chinese_spoken(soup, names) == [], path
        assert links_leaving_english(soup) == [], path


def test_a_paused_order_cannot_be_resumed_into_a_run_already_fixed(client_a, older, fixed_run):
    StandingOrder.objects.filter(pk=older.pk).update(status="paused")
    response = client_a.post(url("status", older), {"status": "active"}, follow=True)
    assert "截单后再改" in text(response)
    older.refresh_from_db()
    assert older.status == "paused"
