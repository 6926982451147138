"""Real threads racing on PostgreSQL, shared by the oversell and car-capacity races.

Each racer is a thread with its own database connection, kept over all rounds (as a
gunicorn worker keeps its connection). A round hands every racer one job; they start
together at a barrier, and the round ends when all have finished.
"""

import fcntl
import queue
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections

ROUND_TIMEOUT_S = 180  # a busy CI box is slow, not stuck
# Each race opens one connection per racer; two races at once on two xdist workers would
# pass PostgreSQL's 100 connections, so races take turns across processes.
RACE_LOCK = Path(tempfile.gettempdir()) / "nongzhu-test-races.lock"


@pytest.fixture
def postgres_only(transactional_db, django_db_serialized_rollback):
    # Real commits, so the rows the migrations made (the site, countries) are restored
    # first: a browser test on the same worker may have flushed them.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... to run the race")


def _racer(jobs):
    try:
        for buy, args, start, results in iter(jobs.get, None):
            start.wait(timeout=ROUND_TIMEOUT_S)  # everyone goes at once
            try:
                results.append(buy(*args))
            except Exception as error:  # noqa: BLE001  reported by the test, never swallowed
                results.append(("error", repr(error)))
            start.wait(timeout=ROUND_TIMEOUT_S)  # the round is over for everyone
    finally:
        connections.close_all()


class Racers:
    def __init__(self, jobs):
        self._jobs = jobs

    def race(self, buy, argument_lists):
        """Run ``buy(*args)`` once per racer, all at the same moment; return what each
        returned (as ``(kind, detail)``), or ``("error", repr)`` for an exception."""
        assert len(argument_lists) == len(self._jobs)
        start = threading.Barrier(len(self._jobs) + 1)
        results = []
        for jobs, args in zip(self._jobs, argument_lists, strict=True):
            jobs.put((buy, args, start, results))
        start.wait(timeout=ROUND_TIMEOUT_S)
        start.wait(timeout=ROUND_TIMEOUT_S)
        return results


@contextmanager
def racers(count):
    with open(RACE_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        with _racers(count) as field:
            yield field


@contextmanager
def _racers(count):
    jobs = [queue.Queue() for _ in range(count)]
    threads = [threading.Thread(target=_racer, args=(q,), daemon=True) for q in jobs]
    for thread in threads:
        thread.start()
    try:
        yield Racers(jobs)
    finally:
        for q in jobs:
            q.put(None)
        for thread in threads:
            thread.join(timeout=30)
