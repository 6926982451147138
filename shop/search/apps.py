from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarConfig


class SearchConfig(OscarConfig):
    """The site search, in Oscar's place for its ``search`` app.

    Oscar's own search app answers through haystack; this one answers with the shop's
    index (``shop.search``), so one search stack is installed. It keeps Oscar's label and
    URL name (``search:search`` under ``/shop/search/``) for the Oscar parts that link to
    it; the site's own address is ``/search/`` (``site-search``).
    """

    label = "search"
    name = "shop.search"
    verbose_name = _("站内搜索")
    namespace = "search"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        # Loaded in ready(): the receivers import models, and apps.py loads before any model.
        from shop.search import receivers  # noqa: F401  connects the index's signals

    def get_urls(self):
        # Loaded when the URLconf asks: the views import models, and apps.py loads first.
        from shop.search.views import SiteSearchView

        return self.post_process_urls([path("", SiteSearchView.as_view(), name="search")])
