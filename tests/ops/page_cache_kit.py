"""What the page-cache tests share: the cache switched on for the module that imports
``page_cache_on`` (an autouse fixture), and how to read an answer."""

import pytest

from shop.speed import page_cache

CATALOGUE = "/shop/catalogue/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_REBUILD_WAIT = 0.2


def how(response):
    """hit, miss, hit-personal, miss-personal, or None when the cache stayed out."""
    return response.get(page_cache.HIT_HEADER)


def html(response):
    return response.content.decode()


# The header's words in each language: the path prefix, 工作台 and 我的.
IN_EACH_LANGUAGE = pytest.mark.parametrize(
    "prefix, desk, mine", [("", "工作台", "我的"), ("/en", "Dashboard", "Account")]
)
