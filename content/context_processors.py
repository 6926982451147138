"""Data every page's header and footer needs, fetched once and cached."""

from django.utils.translation import get_language

from catalogue.models import Category
from content.models import StoryIndexPage
from shop.speed import page_cache, request_cache


def _nav_categories():

    return [
        {"name": c.shown_name, "url": c.get_absolute_url()}
        for c in Category.get_root_nodes().filter(is_public=True).order_by("path")[:8]
    ]


def _story_index_url():

    page = StoryIndexPage.objects.live().first()
    return page.url if page else ""


@request_cache.read_with_every_request
def _chrome_keys():
    return [f"site-chrome:{get_language()}"]


def site_chrome(request):
    """The header's categories and the story index's address, kept for one page cache
    generation: renaming a category or publishing the story index starts a new one
    (shop/core/receivers.py), and the next page shows the change, as do the frames of
    the basket and checkout pages (shop/speed/frames.py), which are kept per generation."""
    key = _chrome_keys()[0]
    generation = page_cache.request_generation()
    kept = request_cache.get(key)
    if kept is not None and kept[0] == generation:
        return {"chrome": kept[1]}
    chrome = {"categories": _nav_categories(), "story_index_url": _story_index_url()}
    request_cache.set(key, (generation, chrome), 300)
    return {"chrome": chrome}
