"""Values every request reads come in one round trip (shop.speed.request_cache), and what a
process keeps between requests (open runs, payment rows) is never served stale: not after
a change, not after the shared cache lost everything."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from content import impact
from fulfilment import runs
from fulfilment.models import DeliveryRun
from shop.speed import request_cache
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import DeliveryRunFactory, pickup_code
from tests.fulfilment.test_checkout_runs import start_guest_checkout

Order = get_model("order", "Order")


class CountingCache:
    """Counts the shared-cache calls made through django.core.cache.cache (not the calls a
    backend makes to itself: the in-process cache's get_many calls its get per key)."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.depth = 0
        for name in ("get", "get_many", "set", "add", "incr", "delete", "delete_many"):
            original = getattr(cache, name)
            monkeypatch.setattr(cache, name, self._counted(name, original))

    def _counted(self, name, original):
        def call(*args, **kwargs):
            if not self.depth:
                self.calls.append((name, args[0] if args else None))
            self.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1

        return call

    def reads(self, key):
        return [
            (name, arg)
            for name, arg in self.calls
            if (arg == key or (isinstance(arg, list) and key in arg)) and name.startswith("get")
        ]


@pytest.mark.django_db
def test_a_checkout_page_reads_the_shared_values_in_one_round_trip(
    monkeypatch, eggs, pickup_point, team
):
    DeliveryRunFactory(  # two runs, so the choice page is shown
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )
    buyer = Client()
    add_to_basket(buyer, eggs, 2)
    start_guest_checkout(buyer)
    first = buyer.get(reverse("checkout:shipping-method"))  # fills the caches
    assert first.status_code == 200, first
    counting = CountingCache(monkeypatch)

    response = buyer.get(reverse("checkout:shipping-method"))

    assert all(pickup_code(run) in response.content.decode() for run in pickup_point.runs.all())
    batch = counting.reads(runs.RUNS_GENERATION_KEY)
    assert len(batch) == 1 and batch[0][0] == "get_many"
    assert "basket:offers-exist" in batch[0][1] and "site-chrome:zh-hans" in batch[0][1]
    assert counting.reads("site-chrome:zh-hans") == batch
    assert not [call for call in counting.calls if str(call[1]).startswith("runs:open:")]


@pytest.mark.django_db
def test_a_request_sees_its_own_change_to_a_value_read_at_its_start(pickup_point):
    with request_cache.for_request():
        before = request_cache.get(runs.RUNS_GENERATION_KEY)
        runs.bump_runs_generation()
        after = request_cache.get(runs.RUNS_GENERATION_KEY)
    assert after != before and after == cache.get(runs.RUNS_GENERATION_KEY)


@pytest.mark.django_db
def test_open_runs_kept_by_the_process_are_not_served_after_the_cache_is_lost(pickup_point):
    run = pickup_point.runs.get()
    cache.clear()  # the counters start afresh, as on a new Redis
    assert [r.pk for r in runs.open_runs_for_checkout({run.team_id})] == [run.pk]
    # Redis restarts empty, and a run changes without a signal (a bulk update).
    cache.clear()
    DeliveryRun.objects.filter(pk=run.pk).update(
        cutoff=timezone.now() + datetime.timedelta(hours=1)
    )

    again = runs.open_runs_for_checkout({run.team_id})

    assert again[0].cutoff == DeliveryRun.objects.get(pk=run.pk).cutoff
    assert again[0] is not runs.open_runs_for_checkout({run.team_id})[0]  # each call its own


@pytest.mark.django_db
def test_placing_an_order_retires_the_impact_reports_once_when_it_commits(
    django_capture_on_commit_callbacks,
):
    cache.set(impact.VERSION_KEY, 5, None)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():  # an order and its lines
            impact.invalidate()
            impact.invalidate()
            impact.invalidate()
            assert cache.get(impact.VERSION_KEY) == 5  # not before the commit
    assert cache.get(impact.VERSION_KEY) == 6

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            impact.invalidate()
            raise RuntimeError
    assert cache.get(impact.VERSION_KEY) == 6  # rolled back: nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        impact.invalidate()  # and the next change is not lost
    assert cache.get(impact.VERSION_KEY) == 7
