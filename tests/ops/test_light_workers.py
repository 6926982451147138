"""Web workers load what buyers' pages need (issue 23): heavy libraries stay in the code
paths that use them.

Each check runs in a fresh interpreter with production settings, so a module-level import
added anywhere on the way from shop.wsgi through the URLconf to the views shows up here.
"""

import os
import secrets
import string

from tests.fresh_interpreter import last_json_of

# Libraries only background work or staff exports need: route planning (OR-Tools),
# spreadsheets (openpyxl), printed lists and statements (reportlab).
HEAVY = ("ortools", "openpyxl", "reportlab")


def run_python(code, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    alphabet = string.ascii_letters + string.digits
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATA_DIR=str(tmp_path),
        REDIS_URL="",
        CELERY_BROKER_URL="",
        PYTHONWARNINGS="ignore",
    )
    return last_json_of(code, env=env, timeout=180)


LOADED = """
import json, sys
watched = {watched!r}
def loaded():
    return sorted(m for m in watched if m in sys.modules)
import shop.wsgi
at_start = loaded()
from django.urls import get_resolver, reverse
resolver = get_resolver()
reverse("healthz")  # builds the reverse map: every included URLconf is imported
def views(patterns):
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            yield from views(entry.url_patterns)
        else:
            yield entry.callback
callbacks = list(views(resolver.url_patterns))
print(json.dumps({{"start": at_start, "urls": loaded(), "views": len(callbacks)}}))
"""


def test_buyer_urlconf_and_views_leave_heavy_libraries_out(tmp_path):
    found = run_python(LOADED.format(watched=HEAVY), tmp_path)
    assert found["views"] > 100  # the whole URLconf was walked
    assert found["start"] == []
    assert [m for m in found["urls"] if m in HEAVY] == []


def test_heavy_libraries_load_where_they_are_used(tmp_path):
    """The check above can fail: the modules that use them still load them on use."""
    code = """
import json, sys
import django
django.setup()
from types import SimpleNamespace
from fulfilment.routing import Stop, plan_route
from shop.desk import exports
before = sorted(m for m in ("ortools", "openpyxl") if m in sys.modules)
stops = [Stop("a", 34.81, 113.51, "household", load=1), Stop("b", 34.82, 113.52, "pickup", load=-1)]
plan_route((34.8, 113.5), stops)
row = SimpleNamespace(label="鸡蛋", quantity=1, amount=2, orders=1)
exports.xlsx_bytes("报表", [row], row)
after = sorted(m for m in ("ortools", "openpyxl") if m in sys.modules)
print(json.dumps([before, after]))
"""
    assert run_python(code, tmp_path) == [[], ["openpyxl", "ortools"]]


# Modules shop.wsgi imports with production settings: 2,595 measured (issue 23, December
# 2026; 2,204 before Wagtail 8's apps began to register the v3 API at start-up). A new
# library on the way from shop.wsgi to the views shows up here first.
MODULES_AT_START = 2700


def test_wsgi_imports_a_bounded_number_of_modules(tmp_path):
    code = "import json, sys\nimport shop.wsgi\nprint(json.dumps(len(sys.modules)))"
    assert run_python(code, tmp_path) <= MODULES_AT_START


def test_search_dictionaries_stay_small_in_the_master(tmp_path):
    """What the gunicorn master allocates before forking for search (shop.search.segmenter):
    28 MB measured with the word table mapped from its file and the shared phrase lists;
    43 MB with the table's arrays in memory, 111 MB with jieba's dict and pypinyin's own
    tables."""
    code = """
import gc, json, sys, tracemalloc
import shop.wsgi
from shop.search.segmenter import load_dictionaries, segmenter, WordTable
tracemalloc.start()
load_dictionaries()
gc.collect()
size = tracemalloc.get_traced_memory()[0] / 2**20
compiled = hasattr(sys.modules["jieba.finalseg.prob_emit"], "__file__")
print(json.dumps([size, isinstance(segmenter.tokenizer.FREQ, WordTable), "pkg_resources" in sys.modules, compiled]))
"""
    size, compact, pkg_resources, compiled = run_python(code, tmp_path)
    assert compact
    assert not pkg_resources  # jieba's 13 MB way to its own files (jieba_module)
    assert not compiled  # jieba's HMM tables read from its pickles, not its modules
    assert size < 40, f"{size:.0f} MB"
