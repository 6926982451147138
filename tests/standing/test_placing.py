"""Standing orders placed at three cut-offs (a skip, a pause, a stock shortage), through
the order-life module; placing twice never places twice; the money the buyer was shown is
the placed order's money (``shop.order.money``)."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from fulfilment import supply
from fulfilment.models import OrderRun
from shop.notices.models import Notice
from shop.order import money
from shop.standing import placing, schedule, tasks
from shop.standing.models import StandingOrder, StandingRun
from tests.standing.conftest import just_before, standing_for

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def place_at(moment, capture):
    with capture(execute=True):
        return placing.place_due(now=moment)


def shown_estimate(client, standing):
    """The one-time cost the buyer's page shows, as a number."""
    page = client.get(reverse("standing:detail", kwargs={"pk": standing.pk})).content.decode()
    block = page[page.index('data-testid="standing-estimate"') :]
    return D(re.search(r"¥\s*([\d,]+\.\d\d)", block)[1].replace(",", ""))


def set_stock(product, available):
    record = product.stockrecords.get()
    StockRecord.objects.filter(pk=record.pk).update(
        num_in_stock=(record.num_allocated or 0) + available
    )


def test_three_cut_offs_with_a_skip_a_pause_and_a_shortage(
    weekly_runs,
    point,
    eggs,
    chicken,
    buyer_a,
    buyer_b,
    client_a,
    client_b,
    django_capture_on_commit_callbacks,
):
    run1, run2, run3 = weekly_runs
    a = standing_for(buyer_a, point, [(eggs, 20), (chicken, 1)])
    b = standing_for(buyer_b, point, [(eggs, 10)])
    shown_a = shown_estimate(client_a, a)
    assert shown_a == D("158.00")  # 20 × 1.50 + 128, pickup is free

    # Before the first cut-off: A skips the second run, B pauses.
    client_a.post(reverse("standing:skip", kwargs={"pk": a.pk}), {"run": run2.pk})
    client_b.post(reverse("standing:status", kwargs={"pk": b.pk}), {"status": "paused"})

    # Nothing is placed before the window.
    assert (
        place_at(run1.cutoff - datetime.timedelta(minutes=30), django_capture_on_commit_callbacks)
        == 0
    )
    assert not Order.objects.exists()

    # Cut-off 1: A's order in full; B is paused.
    assert place_at(just_before(run1), django_capture_on_commit_callbacks) == 1
    first = StandingRun.objects.get(standing=a, run=run1)
    assert first.state == StandingRun.State.PLACED and first.notes == []
    order = first.order
    assert order.user == buyer_a
    assert OrderRun.objects.get(order=order).run == run1
    assert {line.product: line.quantity for line in order.lines.all()} == {eggs: 20, chicken: 1}
    assert money.of(order).due == shown_a  # what the buyer was shown
    assert money.of(order).is_pay_on_pickup and money.of(order).cash_to_collect == shown_a
    assert supply.sold_quantities(run1) == {eggs.pk: 20, chicken.pk: 1}
    assert not StandingRun.objects.filter(standing=b).exists()
    told = [m for m in mail.outbox if buyer_a.email in m.to]
    assert len(told) == 1 and order.number in told[0].subject and "¥158.00" in told[0].body
    assert Notice.objects.filter(order=order, kind="order_confirmed").count() == 1

    # B resumes before the second cut-off; A skipped it.
    client_b.post(reverse("standing:status", kwargs={"pk": b.pk}), {"status": "active"})
    assert place_at(just_before(run2), django_capture_on_commit_callbacks) == 1
    assert StandingRun.objects.get(standing=a, run=run2).state == StandingRun.State.SKIPPED
    assert StandingRun.objects.get(standing=a, run=run2).order is None
    placed_b = StandingRun.objects.get(standing=b, run=run2)
    assert placed_b.state == StandingRun.State.PLACED
    assert {line.product: line.quantity for line in placed_b.order.lines.all()} == {eggs: 10}

    # Cut-off 3: only 25 eggs left and no chicken. A (set up first) gets 20 eggs and no
    # chicken; B gets the 5 eggs left; both are told.
    set_stock(eggs, 25)
    set_stock(chicken, 0)
    mail.outbox.clear()
    assert place_at(just_before(run3), django_capture_on_commit_callbacks) == 2
    third_a = StandingRun.objects.get(standing=a, run=run3)
    assert {line.product: line.quantity for line in third_a.order.lines.all()} == {eggs: 20}
    assert third_a.notes == [{"product": chicken.pk, "wanted": 1, "got": 0}]
    assert money.of(third_a.order).due == D("30.00")
    third_b = StandingRun.objects.get(standing=b, run=run3)
    assert {line.product: line.quantity for line in third_b.order.lines.all()} == {eggs: 5}
    assert third_b.notes == [{"product": eggs.pk, "wanted": 10, "got": 5}]
    mail_b = next(m for m in mail.outbox if buyer_b.email in m.to)
    assert "有的商品不够" in mail_b.body and third_b.order.number in mail_b.body
    assert "“散养土鸡蛋”要 10 枚，这次只有 5 枚。" in mail_b.body
    mail_a = next(m for m in mail.outbox if buyer_a.email in m.to)
    assert "农家小笨鸡" in mail_a.body

    # The buyer's page shows each run's outcome.
    page = client_a.get(reverse("standing:detail", kwargs={"pk": a.pk})).content.decode()
    assert third_a.order.number in page and "农家小笨鸡" in page
    assert Order.objects.count() == 4


def test_nothing_placed_when_nothing_is_left_and_the_buyer_is_told(
    weekly_runs, point, eggs, buyer_a, django_capture_on_commit_callbacks
):
    standing = standing_for(buyer_a, point, [(eggs, 20)])
    set_stock(eggs, 0)
    assert place_at(just_before(weekly_runs[0]), django_capture_on_commit_callbacks) == 1
    row = StandingRun.objects.get(standing=standing)
    assert row.state == StandingRun.State.NOTHING and row.order is None and row.notes
    assert not Order.objects.exists()
    (told,) = mail.outbox
    assert "没能下单" in told.subject and "这一次不收钱" in told.body
    assert "“散养土鸡蛋”要 20 枚，这次没有。" in told.body


def test_the_car_full_places_what_fits(
    weekly_runs, point, eggs, chicken, buyer_a, django_capture_on_commit_callbacks
):
    run = weekly_runs[0]
    run.capacity_kg = D("3.5")  # two chickens (1.5 kg each) fit, not three
    run.save()
    standing = standing_for(buyer_a, point, [(chicken, 3)])
    place_at(just_before(run), django_capture_on_commit_callbacks)
    row = StandingRun.objects.get(standing=standing)
    assert row.state == StandingRun.State.PLACED
    assert [line.quantity for line in row.order.lines.all()] == [2]


def test_placing_twice_places_once(
    weekly_runs, point, eggs, buyer_a, django_capture_on_commit_callbacks
):
    standing = standing_for(buyer_a, point, [(eggs, 20)])
    moment = just_before(weekly_runs[0])
    assert place_at(moment, django_capture_on_commit_callbacks) == 1
    assert place_at(moment, django_capture_on_commit_callbacks) == 0
    assert placing.place_one(standing, weekly_runs[0], moment) is None
    assert Order.objects.count() == 1 and StandingRun.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_celery_task_places_the_run_due_now_and_twice_is_still_once(
    team, point, eggs, buyer_a, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from tests.fulfilment.factories import DeliveryRunFactory

    run = DeliveryRunFactory(
        team=team,
        stops=[point],
        date=timezone.localdate() + datetime.timedelta(days=1),
        cutoff=timezone.now() + datetime.timedelta(minutes=5),
    )
    # Set up before the run was fixed (ten minutes before its cut-off).
    standing = standing_for(buyer_a, point, [(eggs, 10)])
    StandingOrder.objects.filter(pk=standing.pk).update(
        created=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.place_due_standing_orders.delay().get() == 1
        assert tasks.place_due_standing_orders.delay().get() == 0
    assert StandingRun.objects.get(standing=standing, run=run).state == StandingRun.State.PLACED
    assert Order.objects.count() == 1


def test_a_standing_order_set_up_after_a_run_was_fixed_starts_with_the_next(
    team, point, eggs, buyer_a, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from tests.fulfilment.factories import DeliveryRunFactory

    DeliveryRunFactory(
        team=team,
        stops=[point],
        date=timezone.localdate() + datetime.timedelta(days=1),
        cutoff=timezone.now() + datetime.timedelta(minutes=5),
    )
    standing_for(buyer_a, point, [(eggs, 10)])
    assert place_at(timezone.now(), django_capture_on_commit_callbacks) == 0
    assert not Order.objects.exists()


def test_fortnightly_starts_with_the_next_run_and_falls_on_every_other_week(
    weekly_runs, point, eggs, buyer_a
):
    standing = standing_for(
        buyer_a, point, [(eggs, 10)], frequency=StandingOrder.Frequency.FORTNIGHTLY
    )
    on = [schedule.occurrence_on(standing, run) is not None for run in weekly_runs]
    assert on == [True, False, True]
    assert [o.run for o in schedule.occurrences(standing)] == [weekly_runs[0], weekly_runs[2]]


def test_weekly_takes_the_first_run_of_each_week(team, point, eggs, buyer_a, weekly_runs):
    from tests.fulfilment.factories import DeliveryRunFactory

    first = weekly_runs[0]
    same_week = DeliveryRunFactory(
        team=team,
        stops=[point],
        date=first.date + datetime.timedelta(days=(6 - first.date.weekday()) or 0),
        cutoff=first.cutoff + datetime.timedelta(days=1),
    )
    standing = standing_for(buyer_a, point, [(eggs, 10)])
    if same_week.date != first.date:
        assert schedule.occurrence_on(standing, same_week) is None
    assert [o.run for o in schedule.occurrences(standing)] == weekly_runs


def test_the_command_places_what_is_due_for_a_shop_without_a_broker(
    team, point, eggs, buyer_a, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.utils import timezone

    from tests.fulfilment.factories import DeliveryRunFactory

    DeliveryRunFactory(
        team=team,
        stops=[point],
        date=timezone.localdate() + datetime.timedelta(days=1),
        cutoff=timezone.now() + datetime.timedelta(minutes=5),
    )
    standing = standing_for(buyer_a, point, [(eggs, 10)])
    StandingOrder.objects.filter(pk=standing.pk).update(
        created=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("place_standing_orders")
        call_command("place_standing_orders")
    assert Order.objects.count() == 1
