"""Liveness, readiness and metrics endpoints."""

import json
import subprocess
import sys

import pytest

from tests.ops.test_production_settings import BASE_DIR, production_env


@pytest.mark.django_db
def test_liveness_and_readiness_answer_ok_when_database_and_cache_work(client):
    assert client.get("/healthz/").json() == {"status": "ok"}
    response = client.get("/readyz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


READYZ_SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="shop.example.cn")
live = client.get("/healthz/", secure=True)
ready = client.get("/readyz/", secure=True)
print(json.dumps({"live": live.status_code, "ready": ready.status_code, "body": ready.json()}))
"""


def test_readiness_reports_a_broken_database_and_liveness_stays_up():
    # A real production process pointed at a PostgreSQL port where nothing listens.
    result = subprocess.run(
        [sys.executable, "-c", READYZ_SCRIPT],
        cwd=BASE_DIR,
        env=production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere", REDIS_URL=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["live"] == 200
    assert report["ready"] == 503
    assert report["body"]["status"] == "down"
    assert report["body"]["checks"]["database"]["status"] == "down"
    assert report["body"]["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    with_token = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert with_token.status_code == 200
    assert b"python_info" in with_token.content or b"process_" in with_token.content
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
