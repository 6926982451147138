"""Priced by weight (issue 21): a yard chicken sold per 只 at an estimate (约 3 斤 at ¥40/斤,
¥120 a bird) is weighed by the team on the driver page and the line is re-priced: heavier
or lighter, paid on pickup or online; weighing again replaces the weight (the money moves
once); every screen shows the same money; the household is credited by the real weight;
bad weights and other teams change nothing."""

import io
import re
import uuid
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from oscar.core.loading import get_model

from fulfilment import payouts, runs, supply
from fulfilment.models import DeliveryRun, DriverTap, LineWeight, OrderRun, RefundOwed
from shop.order import life, money, weighing
from shop.payment.methods import STRIPE
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.order.factories import make_order
from tests.partner.factories import team_member
from tests.payment import fake_stripe

Status = DeliveryRun.Status
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
SourceType = get_model("payment", "SourceType")

MONEY_RE = re.compile(r"¥\s?([0-9][0-9,]*\.[0-9]{2})")


@pytest.fixture
def chicken(team, households):
    """散养土鸡: sold per 只, 约 3 斤 at ¥40/斤, so ¥120 a bird at checkout."""
    product = product_in_stock(team=team, price=D("120.00"), stock=20, title="散养土鸡", unit="zhi")
    product.price_per_jin, product.estimated_jin = D("40.00"), D("3.0")
    product.save()
    product.households.set([households["monitored"], households["other"]])
    return product


@pytest.fixture
def chicken_run(run, chicken, households):
    supply.set_commitment(run, households["monitored"], chicken, 2)
    supply.set_commitment(run, households["other"], chicken, 2)
    return run


def order_for(run, product, quantity=1, online=False, name="张三"):
    order = make_order(run, [(product, quantity)], name=name, paid_online=online)
    if online:  # paid through Stripe: refunds go back to the same payment intent
        intent = f"pi_test_{order.number}"
        order.sources.update(
            source_type=SourceType.objects.get_or_create(code=STRIPE, defaults={"name": "Stripe"})[
                0
            ],
            reference=intent,
        )
        fake_stripe.current.charged[intent] = int(order.total_incl_tax * 100)
    return order


def close(run):
    runs.change_status(run, Status.CLOSED)
    run.refresh_from_db()


def weigh(client, run, order, weight, line=None, json=False):
    """The weighing form on the driver's card for ``order``, as the phone posts it."""
    line = line or order.lines.get()
    data = {
        "key": str(uuid.uuid4()),
        "action": "weighed",
        "stop": f"p{OrderRun.objects.get(order=order).pickup_id}",
        "order": order.pk,
        "line": line.pk,
        "weight": weight,
    }
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("fulfilment:driver-tap", args=[run.pk]), data, **headers)


def tap(client, run, action, stop, order=None):
    data = {"key": str(uuid.uuid4()), "action": action, "stop": stop}
    if order is not None:
        data["order"] = order.pk
    response = client.post(reverse("fulfilment:driver-tap", args=[run.pk]), data)
    assert response.status_code == 302
    return response


def fresh(order):
    order.refresh_from_db()
    money.forget(order)
    return money.of(order)


def amount_in(html, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</d', html, re.S)
    if match is None:
        return None
    found = MONEY_RE.search(re.sub(r"<[^>]+>", "", match.group(1)))
    return D(found.group(1).replace(",", "")) if found else None


def driver_card(client, run, order):
    html = client.get(reverse("fulfilment:driver", args=[run.pk])).content.decode()
    card = re.search(rf'data-order="{order.number}".*?(?=data-order=|</ol>)', html, re.S)
    assert card is not None
    return card.group(0)


def card_cash(card):
    shown = {D(a or b) for a, b in re.findall(r"收现金 ¥([0-9.]+)|已收款 ¥([0-9.]+)", card)}
    assert len(shown) <= 1
    return shown.pop() if shown else D("0")


def sheet_cash(client, run, order):
    sheet = client.get(reverse("fulfilment:run-document", args=[run.pk, "sheet"]) + "?format=xlsx")
    rows = load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    values = [r[5] for r in rows if r and isinstance(r[4], str) and order.number in r[4]]
    assert values
    return D(str(values[0] or 0))


def buyer_page(client, order):
    return client.get(reverse("customer:order", args=[order.number])).content.decode()


# --- re-pricing, both directions, both ways of paying --------------------------------


@pytest.mark.django_db
def test_heavier_bird_paid_on_pickup_costs_more_on_every_screen(
    client, chicken_run, chicken, member, customer
):
    order = order_for(chicken_run, chicken)
    Order.objects.filter(pk=order.pk).update(user=customer)
    close(chicken_run)
    assert fresh(order).due == D("120.00")
    client.force_login(member)

    response = weigh(client, chicken_run, order, "3.4")

    assert response.status_code == 302
    truth = fresh(order)
    assert truth.weighed == D("16.00")  # 3.4 斤 × ¥40 = ¥136, ¥16 above the estimate
    assert truth.due == D("136.00") and truth.cash_to_collect == D("136.00")
    card = driver_card(client, chicken_run, order)
    assert card_cash(card) == D("136.00")
    assert "已称：3.4 斤" in card and "多 ¥16.00" in card
    assert sheet_cash(client, chicken_run, order) == D("136.00")
    note = OrderNote.objects.filter(order=order).latest("pk").message
    assert "3.4 斤" in note and "¥136.00" in note
    client.force_login(customer)
    html = buyer_page(client, order)
    assert amount_in(html, "money-due") == D("136.00")
    assert amount_in(html, "money-to-collect") == D("136.00")
    assert amount_in(html, "money-weighed") == D("16.00")
    assert "实重 3.4 斤" in html


@pytest.mark.django_db
def test_lighter_bird_paid_on_pickup_costs_less_and_promises_no_refund(
    client, chicken_run, chicken, member
):
    order = order_for(chicken_run, chicken, quantity=2)
    close(chicken_run)
    client.force_login(member)

    weigh(client, chicken_run, order, "5.2")  # two birds, 5.2 斤 together: ¥208

    truth = fresh(order)
    assert truth.due == D("208.00") and truth.cash_to_collect == D("208.00")
    assert truth.refund_owed == 0 and not RefundOwed.objects.filter(order=order).exists()
    assert card_cash(driver_card(client, chicken_run, order)) == D("208.00")
    # The driver's 已收款 takes the re-priced amount, and the order is settled.
    tap(client, chicken_run, "paid", f"p{OrderRun.objects.get(order=order).pickup_id}", order)
    truth = fresh(order)
    assert truth.paid_cash == D("208.00") and truth.settled


@pytest.mark.django_db
def test_lighter_bird_paid_online_is_refunded_the_difference_once(
    client, chicken_run, chicken, member, stripe_fake
):
    order = order_for(chicken_run, chicken, online=True)
    close(chicken_run)
    client.force_login(member)

    weigh(client, chicken_run, order, "2.5")  # ¥100: ¥20 back

    truth = fresh(order)
    assert truth.due == D("100.00") and truth.refund_owed == D("20.00")
    assert truth.cash_to_collect == 0
    owed = RefundOwed.objects.get(order=order)
    assert owed.amount == D("20.00") and "2.5 斤" in owed.reason
    # The team pays it from the order's refund page, the usual refund path.
    response = client.post(reverse("payment:refund", args=[order.number]), {"owed": owed.pk})
    assert response.status_code == 302
    assert list(stripe_fake.refunds.values())[0]["amount"] == 2000
    refund = owed.refunds.get()
    assert refund.reason == refund.Reason.OTHER and "2.5 斤" in refund.note
    truth = fresh(order)
    assert truth.refunds_paid == D("20.00") and truth.settled
    # The same weight again (a second phone, a retry) moves no money.
    weigh(client, chicken_run, order, "2.5")
    assert RefundOwed.objects.filter(order=order).count() == 1
    assert len(stripe_fake.refunds) == 1
    assert fresh(order).settled


@pytest.mark.django_db
def test_heavier_bird_paid_online_owes_the_extra_in_cash_at_hand_over(
    client, chicken_run, chicken, member, customer, stripe_fake
):
    order = order_for(chicken_run, chicken, online=True)
    Order.objects.filter(pk=order.pk).update(user=customer)
    close(chicken_run)
    client.force_login(member)

    weigh(client, chicken_run, order, "3.5")  # ¥140 for a ¥120 payment

    truth = fresh(order)
    assert truth.due == D("140.00") and truth.cash_to_collect == D("20.00")
    assert truth.is_online and not RefundOwed.objects.filter(order=order).exists()
    card = driver_card(client, chicken_run, order)
    assert card_cash(card) == D("20.00")
    assert sheet_cash(client, chicken_run, order) == D("20.00")
    client.force_login(customer)
    assert amount_in(buyer_page(client, order), "money-to-collect") == D("20.00")
    client.force_login(member)

    tap(client, chicken_run, "paid", f"p{OrderRun.objects.get(order=order).pickup_id}", order)

    truth = fresh(order)
    assert truth.paid_online == D("120.00") and truth.paid_cash == D("20.00")
    assert truth.is_online and truth.settled and truth.cash_to_collect == 0
    assert card_cash(driver_card(client, chicken_run, order)) == 0


# --- weighing again --------------------------------------------------------------------


@pytest.mark.django_db
def test_weighing_again_replaces_the_weight_and_the_money_moves_once(
    client, chicken_run, chicken, member, stripe_fake
):
    pickup = order_for(chicken_run, chicken, name="张三")
    online = order_for(chicken_run, chicken, online=True, name="李四")
    close(chicken_run)
    client.force_login(member)

    for weight in ("3.5", "2.8", "2.8"):
        weigh(client, chicken_run, pickup, weight)
        weigh(client, chicken_run, online, weight)

    assert LineWeight.objects.filter(line__order=pickup).get().weight_jin == D("2.8")
    assert fresh(pickup).due == D("112.00")  # 2.8 × 40, not 3.5's ¥140 plus anything
    truth = fresh(online)
    assert truth.due == D("112.00") and truth.refund_owed == D("8.00")
    # One refund row for ¥8, not one for each weighing.
    assert [row.amount for row in RefundOwed.objects.filter(order=online)] == [D("8.00")]
    notes = OrderNote.objects.filter(order=pickup, message__contains="称重").count()
    assert notes == 3


@pytest.mark.django_db
def test_weighing_after_the_refund_was_paid_refunds_only_what_is_new(
    client, chicken_run, chicken, member, stripe_fake
):
    order = order_for(chicken_run, chicken, online=True)
    close(chicken_run)
    client.force_login(member)
    weigh(client, chicken_run, order, "2.5")
    life.settle_owed(RefundOwed.objects.get(order=order))
    assert fresh(order).refunds_paid == D("20.00")

    weigh(client, chicken_run, order, "2.0")  # lighter still: ¥80, ¥20 more back
    weigh(client, chicken_run, order, "2.2")  # a better scale: ¥88, ¥12 more back

    truth = fresh(order)
    assert truth.due == D("88.00") and truth.refund_owed == D("12.00")
    open_rows = RefundOwed.objects.filter(order=order, settled_at__isnull=True)
    assert [row.amount for row in open_rows] == [D("12.00")]


# --- households credited by the real weight ---------------------------------------------


@pytest.mark.django_db
def test_household_is_credited_by_the_real_weight_of_its_birds(
    client, chicken_run, chicken, member, households
):
    # 吴奶奶家 (monitored) supplies the first order's two birds, 李大叔家 the second's.
    first = order_for(chicken_run, chicken, quantity=2, name="张三")
    second = order_for(chicken_run, chicken, quantity=1, name="李四")
    close(chicken_run)
    client.force_login(member)
    weigh(client, chicken_run, first, "7.0")  # ¥280 instead of ¥240
    weigh(client, chicken_run, second, "2.4")  # ¥96 instead of ¥120
    for household in (households["monitored"], households["other"]):
        tap(client, chicken_run, "collected", f"h{household.pk}")
    for order in (first, second):
        tap(
            client,
            chicken_run,
            "handed_over",
            f"p{OrderRun.objects.get(order=order).pickup_id}",
            order,
        )
    chicken_run.refresh_from_db()
    assert chicken_run.status == Status.DONE

    credits = {}
    for credit in money.credits_for_run(chicken_run):
        credits[credit.household_id] = credits.get(credit.household_id, D("0")) + credit.amount
    assert credits == {households["monitored"].pk: D("280.00"), households["other"].pk: D("96.00")}
    statements = {s.household.pk: s.gross for s in payouts.for_run(chicken_run)}
    assert statements == credits
    handed = sum((fresh(o).goods - fresh(o).cuts + fresh(o).weighed for o in (first, second)), D(0))
    assert sum(credits.values()) == handed
    # The team report and the impact page count the re-priced goods too.
    from content import impact
    from shop.desk.reports import SalesReport

    assert SalesReport().total().amount == D("376.00")
    assert impact.build_report().totals.income == D("376.00")
    by_household = {row.key: row.amount for row in SalesReport().by_household()}
    assert by_household[households["monitored"].pk] == D("280.00")
    assert by_household[households["other"].pk] == D("96.00")


# --- bad input and other teams change nothing --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, message",
    [
        ("0", "重量要大于 0 斤。"),
        ("-3", "重量要大于 0 斤。"),
        ("50", "50 斤不对：1 只最多 20 斤，请再称一次。"),
        ("三斤", "请填写称出的重量（斤），例如 3.4。"),
        ("", "请填写称出的重量（斤），例如 3.4。"),
        ("NaN", "请填写称出的重量（斤），例如 3.4。"),
    ],
)
def test_a_bad_weight_is_refused_in_chinese_and_changes_nothing(
    client, chicken_run, chicken, member, typed, message
):
    order = order_for(chicken_run, chicken)
    close(chicken_run)
    client.force_login(member)
    notes = OrderNote.objects.filter(order=order).count()

    response = weigh(client, chicken_run, order, typed, json=True)

    assert response.status_code == 409
    assert response.json() == {"ok": False, "error": message}
    assert not LineWeight.objects.exists() and not DriverTap.objects.exists()
    assert OrderNote.objects.filter(order=order).count() == notes
    assert fresh(order).due == D("120.00")
    # Without JavaScript the page comes back with the same message.
    page = client.get(weigh(client, chicken_run, order, typed)["Location"])
    assert message in page.content.decode()


@pytest.mark.django_db
def test_a_line_not_priced_by_weight_or_not_on_the_run_is_refused(
    client, chicken_run, chicken, eggs, member, other_team
):
    supply.set_commitment(chicken_run, HouseholdFactory(team=chicken_run.team), eggs, 50)
    egg_order = order_for(chicken_run, eggs)
    order = order_for(chicken_run, chicken)
    close(chicken_run)
    client.force_login(member)

    answer = weigh(client, chicken_run, egg_order, "3", json=True)
    assert (
        answer.status_code == 409 and answer.json()["error"] == "这件商品不按重量计价，不用称重。"
    )
    # A line of another order, posted with this order's card.
    answer = weigh(client, chicken_run, order, "3", line=egg_order.lines.get(), json=True)
    assert answer.status_code == 409 and answer.json()["error"] == "这个订单不在本批次。"
    assert not LineWeight.objects.exists()


@pytest.mark.django_db
def test_a_member_of_another_team_cannot_weigh(client, chicken_run, chicken, other_team):
    order = order_for(chicken_run, chicken)
    close(chicken_run)
    client.force_login(team_member(other_team))

    response = weigh(client, chicken_run, order, "3.4")

    assert response.status_code == 404
    assert not LineWeight.objects.exists() and fresh(order).due == D("120.00")
    client.logout()
    response = weigh(client, chicken_run, order, "3.4")
    assert response.status_code == 302 and "login" in response["Location"]
    assert not LineWeight.objects.exists()


@pytest.mark.django_db
def test_weighing_waits_for_the_cut_off_and_stops_for_a_cancelled_order(
    client, chicken_run, chicken, member
):
    order = order_for(chicken_run, chicken)
    client.force_login(member)
    answer = weigh(client, chicken_run, order, "3.1", json=True)
    assert answer.status_code == 409 and "现在不能操作" in answer.json()["error"]
    close(chicken_run)
    life.cancel(order)
    with pytest.raises(weighing.WeighingProblem):
        life.weighed(order.lines.get(), "3.1")
    assert not LineWeight.objects.exists()


# --- what the buyer reads before paying ---------------------------------------------------


@pytest.mark.django_db
def test_product_page_card_and_basket_explain_the_weight_rule(client, chicken_run, chicken):
    page = client.get(chicken.get_absolute_url()).content.decode()
    assert "约 3 斤/只，¥40.00/斤，按实重结算，多退少补" in page
    assert "比估重重，交货时补付差价" in page
    client.post(reverse("basket:add", args=[chicken.pk]), {"quantity": 1})
    basket = client.get(reverse("basket:summary")).content.decode()
    assert 'data-testid="basket-weight-note"' in basket and "约 3 斤/只" in basket
    english = client.get("/en" + chicken.get_absolute_url()).content.decode()
    assert "about 3 jin/bird, ¥40.00/jin, settled by real weight" in english


# --- the team lists a product priced by weight from the phone ------------------------------


def product_form(product, team, **changes):
    record = product.stockrecords.get(partner=team)
    data = {
        "title": product.title,
        "price": str(record.price),
        "stock_mode": "set",
        "stock_amount": str(record.num_in_stock),
        "stock_was": str(record.num_in_stock),
        "description": product.description,
        "is_public": "on",
        "note": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_team_prices_a_bird_by_weight_from_the_phone_form(client, member, team):
    bird = product_in_stock(team=team, price=D("99.00"), stock=5, unit="zhi")
    url = reverse("fulfilment:product-edit", args=[bird.pk])
    client.force_login(member)

    response = client.post(url, product_form(bird, team, price="", price_per_jin="38"))
    assert "按重量计价要同时填每斤价格和每件约重" in response.content.decode()
    bird.refresh_from_db()
    assert bird.price_per_jin is None and bird.stockrecords.get().price == D("99.00")

    response = client.post(
        url, product_form(bird, team, price="", price_per_jin="38", estimated_jin="3.5")
    )

    assert response.status_code == 302
    bird.refresh_from_db()
    assert (bird.price_per_jin, bird.estimated_jin) == (D("38.00"), D("3.5"))
    assert bird.stockrecords.get().price == D("133.00")  # what checkout charges: 3.5 × 38
    page = client.get(url).content.decode()
    assert 'value="38.00"' in page and 'value="3.5"' in page


@pytest.mark.django_db
def test_a_shortfall_after_weighing_drops_the_weight(client, chicken_run, chicken, member):
    from fulfilment import shortfalls
    from fulfilment.models import Allocation

    order = order_for(chicken_run, chicken, quantity=2)
    close(chicken_run)
    client.force_login(member)
    weigh(client, chicken_run, order, "6.8")
    assert fresh(order).due == D("272.00")
    allocation = Allocation.objects.filter(run=chicken_run, quantity__gt=0).first()

    shortfalls.record_shortfall(chicken_run, allocation.household, chicken, 1, actor=member)

    # One bird left, at its estimate until it is weighed again (6.8 斤 was for two).
    assert not LineWeight.objects.exists()
    assert fresh(order).due == D("120.00")
    weigh(client, chicken_run, order, "3.3")
    assert fresh(order).due == D("132.00")


@pytest.mark.django_db
def test_the_driver_page_offers_weighing_at_the_household_and_on_the_order_card(
    client, chicken_run, chicken, member, households, eggs
):
    supply.set_commitment(chicken_run, households["poor"], eggs, 20)
    order = order_for(chicken_run, chicken, quantity=2)
    egg_order = order_for(chicken_run, eggs, quantity=10)
    close(chicken_run)
    client.force_login(member)

    html = client.get(reverse("fulfilment:driver", args=[chicken_run.pk])).content.decode()

    line = order.lines.get()
    pickup = OrderRun.objects.get(order=order).pickup_id
    # 吴奶奶家 (priority) supplies both birds: weigh them when collecting, or at hand-over.
    assert f'data-testid="weigh-h{households["monitored"].pk}-{line.pk}"' in html
    assert f'data-testid="weigh-p{pickup}-{line.pk}"' in html
    assert f'data-testid="weigh-h{households["poor"].pk}-' not in html  # eggs only
    assert f'name="line" value="{egg_order.lines.get().pk}"' not in html
