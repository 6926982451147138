"""The app servers' gunicorn settings (deploy/gunicorn.conf.py) do what docs/deploy.md says."""

import gc
import os
import runpy
from pathlib import Path

import pytest

from tests.fresh_interpreter import last_json_of

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def config(monkeypatch):
    for name in ("GUNICORN_KEEPALIVE", "GUNICORN_PRELOAD", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(CONFIG))


def test_connections_close_after_each_response_unless_asked(config, monkeypatch):
    assert config["keepalive"] == 0
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "5")
    assert runpy.run_path(str(CONFIG))["keepalive"] == 5


def test_workers_fork_with_search_dictionaries_loaded_and_frozen(config):
    from shop.search.segmenter import segmenter

    segmenter.__dict__.pop("tokenizer", None)  # as in a master that has served nothing
    assert config["preload_app"] is True
    try:
        config["pre_fork"](server=None, worker=None)
        assert "tokenizer" in segmenter.__dict__
        assert segmenter.words("散养土鸡蛋") and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_master_returns_its_free_heap_before_each_fork(config, monkeypatch):
    trimmed = []
    monkeypatch.setitem(config["return_free_heap"].__globals__, "preload_app", False)
    monkeypatch.setitem(config["return_free_heap"].__globals__, "ctypes", FakeCtypes(trimmed))
    try:
        config["pre_fork"](server=None, worker=None)
    finally:
        gc.unfreeze()
    assert trimmed == [0]


TRIM = """
import json, re, runpy, sys
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
config = runpy.run_path(sys.argv[1])
blocks = [bytes(2000) for _ in range(100_000)]  # 200 MB on the heap (malloc, not pymalloc)
kept = blocks[::100]  # one in a hundred stays: the freed ones are holes, not the heap's top
del blocks
before = rss()
config["return_free_heap"]()
print(json.dumps([before, rss()]))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_returning_the_free_heap_shrinks_the_process():
    before, after = last_json_of(TRIM, str(CONFIG), env=dict(os.environ))
    assert before - after > 100, (before, after)


class FakeCtypes:
    """ctypes whose C library records malloc_trim's calls."""

    def __init__(self, calls):
        self.calls = calls

    def CDLL(self, name):  # noqa: N802 -- ctypes' own name
        return type("Libc", (), {"malloc_trim": staticmethod(self.calls.append)})()
