"""The app servers' gunicorn settings (deploy/gunicorn.conf.py) do what docs/deploy.md says."""

import gc
import runpy
from pathlib import Path

import pytest

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
