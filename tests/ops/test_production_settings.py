"""Production settings: clean ``check --deploy``, and no start without secrets."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="shop.example.cn",
        DATA_DIR=str(BASE_DIR / "data"),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_proper_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


@pytest.mark.parametrize(
    "missing",
    [{"DJANGO_SECRET_KEY": None}, {"DJANGO_SECRET_KEY": "short"}, {"ALLOWED_HOSTS": None}],
)
def test_refuses_to_start_without_required_secrets(missing):
    result = manage("check", **missing)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    name = next(iter(missing))
    assert name in result.stderr


def test_queued_mail_redis_sessions_and_s3_media_come_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, s.SESSION_ENGINE, s.STORAGES['default']['BACKEND'],"
        " s.STORAGES['default']['OPTIONS']['bucket_name'], s.CELERY_BROKER_URL,"
        " s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=production_env(REDIS_URL="redis://127.0.0.1:6379/9", S3_BUCKET="nongzhu-media"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "shop.core.mail.QueuedEmailBackend",
        "shop.core.sessions.cached_db",
        "storages.backends.s3.S3Storage",
        "nongzhu-media",
        "redis://127.0.0.1:6379/9",
        "False",
        "True",
    ]
