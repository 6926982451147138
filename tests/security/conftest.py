"""Production's login protection for these tests: axes first in the backends, every AXES_*
setting as shop/settings/base.py sets it, and production's trusted proxy (nginx on loopback)."""

import pytest

from shop.settings import base as base_settings
from tests.browser.conftest import phone_page  # noqa: F401  Chromium for test_policy_in_browser

PRODUCTION_TRUSTED_PROXIES = ["127.0.0.1", "::1"]


@pytest.fixture
def production_login_protection(settings, db):
    from axes.models import AccessAttempt

    settings.AUTHENTICATION_BACKENDS = base_settings.AUTHENTICATION_BACKENDS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    for name in dir(base_settings):
        if name.startswith("AXES_"):
            setattr(settings, name, getattr(base_settings, name))
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = PRODUCTION_TRUSTED_PROXIES
    AccessAttempt.objects.all().delete()
    return settings
