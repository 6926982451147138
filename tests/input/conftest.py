from tests.dashboard.conftest import world  # noqa: F401  the shared two-team fixture
