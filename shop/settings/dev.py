"""Local development: DEBUG on, a throwaway key, mail printed to the console."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-5b1c0e6f"  # noqa: F405
ALLOWED_HOSTS = ["*"]
