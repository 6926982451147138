"""Run states, the cut-off, and sharing the sales out at closing."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import runs, supply
from fulfilment.models import Allocation, DeliveryRun, RunEvent
from tests.catalogue.factories import product_in_stock
from tests.order.factories import make_order

StockRecord = get_model("partner", "StockRecord")
S = DeliveryRun.Status


@pytest.mark.django_db
def test_full_life_of_a_run_is_logged_with_who_did_it(run, member):
    for status in (S.CLOSED, S.COLLECTING, S.DELIVERING, S.DONE):
        runs.change_status(run, status, actor=member)
    run.refresh_from_db()
    assert run.status == S.DONE
    events = list(RunEvent.objects.filter(run=run).values_list("from_status", "to_status", "actor"))
    assert events == [
        ("open", "closed", member.pk),
        ("closed", "collecting", member.pk),
        ("collecting", "delivering", member.pk),
        ("delivering", "done", member.pk),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, illegal",
    [
        ([], S.COLLECTING),
        ([], S.DONE),
        ([S.CLOSED], S.DONE),
        ([S.CLOSED], S.OPEN),
        ([S.CLOSED, S.COLLECTING], S.CANCELLED),
        ([S.CANCELLED], S.OPEN),
        ([S.CLOSED, S.COLLECTING, S.DELIVERING, S.DONE], S.CANCELLED),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(run, path, illegal):
    for status in path:
        runs.change_status(run, status)
    before = RunEvent.objects.count()
    with pytest.raises(runs.IllegalTransition):
        runs.change_status(run, illegal)
    run.refresh_from_db()
    assert run.status == (path[-1] if path else S.OPEN)
    assert RunEvent.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", [[], [S.CLOSED]])
def test_open_or_closed_run_can_be_cancelled_and_paid_orders_are_owed(
    run, eggs, path, django_capture_on_commit_callbacks
):
    paid = make_order(run, [(eggs, 10)], paid_online=True)
    make_order(run, [(eggs, 10)], email="cash@example.cn")
    mail.outbox.clear()
    for status in path:
        runs.change_status(run, status)
    with django_capture_on_commit_callbacks(execute=True):
        runs.change_status(run, S.CANCELLED)
    owed = list(paid.refunds_owed.values_list("amount", flat=True))
    assert owed == [D("15.00")]
    assert {m.to[0] for m in mail.outbox} == {"buyer@example.cn", "cash@example.cn"}


@pytest.mark.django_db
def test_run_past_its_cutoff_closes_by_itself_on_the_command(run):
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("close_due_runs")
    run.refresh_from_db()
    assert run.status == S.CLOSED
    event = run.events.get()
    assert event.actor is None and "自动" in event.note


@pytest.mark.django_db
def test_run_past_its_cutoff_closes_when_the_team_opens_its_page(client, run, member):
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(member)
    page = client.get(f"/shop/team/runs/{run.pk}/")
    assert "已截单" in page.content.decode()


@pytest.mark.django_db
def test_closing_shares_sales_out_priority_first_and_records_it(run, team, eggs, households):
    for key, quantity in (("monitored", 20), ("poor", 30), ("other", 50)):
        supply.set_commitment(run, households[key], eggs, quantity)
    make_order(run, [(eggs, 30)])
    make_order(run, [(eggs, 10)])
    runs.change_status(run, S.CLOSED)
    credited = {a.household_id: a.quantity for a in Allocation.objects.filter(run=run)}
    assert credited == {households["monitored"].pk: 20, households["poor"].pk: 20}
    assert sum(credited.values()) == 40
    assert all(a.unit_price == D("1.50") for a in Allocation.objects.filter(run=run))


@pytest.mark.django_db
def test_stock_follows_commitments_of_open_runs(run, later_run, team, eggs, households):
    record = StockRecord.objects.get(product=eggs, partner=team)
    supply.set_commitment(run, households["poor"], eggs, 60)
    supply.set_commitment(later_run, households["other"], eggs, 40)
    record.refresh_from_db()
    assert record.net_stock_level == 100
    make_order(run, [(eggs, 25)])
    record.refresh_from_db()
    assert record.net_stock_level == 75
    runs.change_status(run, S.CLOSED)  # the 35 eggs left on this run are no longer for sale
    record.refresh_from_db()
    assert record.net_stock_level == 40
    assert record.num_allocated == 25


@pytest.mark.django_db
def test_commitment_set_to_zero_is_removed(run, eggs, households):
    supply.set_commitment(run, households["poor"], eggs, 60)
    supply.set_commitment(run, households["poor"], eggs, 0)
    assert not run.commitments.exists()


@pytest.mark.django_db
def test_several_runs_of_one_team_are_open_at_once(run, later_run):
    assert list(runs.open_runs([run.team_id])) == [run, later_run]


@pytest.mark.django_db
def test_other_teams_product_commitment_does_not_touch_stock(run, other_team):
    other = product_in_stock(team=other_team, stock=7)
    record = StockRecord.objects.get(product=other)
    supply.sync_stock(run.team)
    record.refresh_from_db()
    assert record.num_in_stock == 7
