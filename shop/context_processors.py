"""Data every page's header and footer needs, fetched once and cached."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from oscar.apps.search import context_processors as oscar_search

from shop.speed import request_cache


def _nav_categories():
    from catalogue.models import Category

    return [
        {"name": c.shown_name, "url": c.get_absolute_url()}
        for c in Category.get_root_nodes().filter(is_public=True).order_by("path")[:8]
    ]


def _story_index_url():
    from content.models import StoryIndexPage

    page = StoryIndexPage.objects.live().first()
    return page.url if page else ""


@request_cache.read_with_every_request
def _chrome_keys():
    return [f"site-chrome:{get_language()}"]


def site_chrome(request):
    key = _chrome_keys()[0]
    chrome = request_cache.get(key)
    if chrome is None:
        chrome = {"categories": _nav_categories(), "story_index_url": _story_index_url()}
        request_cache.set(key, chrome, 300)
    return {"chrome": chrome}


def search_form(request):
    """Oscar's site-wide search form, made only on the pages that show it (Oscar's search
    results); the shop's header has its own search box."""
    return {
        "search_form": SimpleLazyObject(lambda: oscar_search.search_form(request)["search_form"])
    }
