"""One search stack: the shop's own index answers Oscar's search address too, and
haystack is never loaded, not even by Oscar's catalogue views."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys, django
django.setup()
from django.urls import get_resolver
import shop.urls, catalogue.views, oscar.apps.catalogue.views  # every view module the URLs name
get_resolver().url_patterns
print("haystack" in sys.modules, "oscar.apps.search.views" in sys.modules)
"""


def test_haystack_is_not_loaded_when_the_site_starts():
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "shop.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.django_db
def test_oscars_search_address_is_the_site_search(client, eggs):
    url = reverse("search:search")
    assert url == "/shop/search/"
    response = client.get(url, {"q": "鸡蛋"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "散养土" in html and "<mark>" in html
    assert client.get(reverse("site-search"), {"q": "鸡蛋"}).content.decode().count(
        eggs.get_absolute_url()
    ) == html.count(eggs.get_absolute_url())
