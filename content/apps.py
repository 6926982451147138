from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from catalogue import stories
        from content import receivers, selectors, tasks  # noqa: F401  tasks: registers them with Celery

        receivers.connect()
        receivers.connect_rendition_warmup()
        stories.register(selectors.stories_about)
