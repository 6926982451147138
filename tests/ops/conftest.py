"""Fixtures the ops tests share."""

import pytest

from tests.ops.page_cache_kit import CATALOGUE


@pytest.fixture
def pages(eggs, home_page):
    """The four read pages a buyer walks: home, catalogue, a category, a product."""
    from catalogue.models import Category

    category = Category.add_root(name="鸡蛋", slug="eggs")
    eggs.categories.add(category)
    return {
        "home": "/",
        "catalogue": CATALOGUE,
        "category": category.get_absolute_url(),
        "product": eggs.get_absolute_url(),
    }
