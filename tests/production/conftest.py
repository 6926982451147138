"""The production-shaped stage's journeys (marker ``production``), run by .ci/prod_stage.sh.

They speak to the shop over plain HTTP at ``PROD_BASE_URL`` (gunicorn under production
settings with a real Celery worker and beat) the way a browser would: GET the form, send
back its fields with the CSRF cookie and token. Without ``PROD_BASE_URL`` (``make test``)
they are skipped. Shop commands (``manage.py shell``) run with the stage's production
environment, read from ``PROD_ENV_FILE``.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from bs4 import BeautifulSoup

BASE_URL = os.environ.get("PROD_BASE_URL", "").rstrip("/")
STAGE_DIR = Path(os.environ.get("PROD_STAGE_DIR", "/nonexistent"))
ROOT = Path(__file__).resolve().parents[2]


def require_running_shop():
    if not BASE_URL:
        pytest.skip("PROD_BASE_URL is not set: the production stage runs in .ci/prod_stage.sh")


@pytest.fixture(autouse=True)
def _fresh_cache_and_language(request):
    """Replaces the suite's autouse fixture: these tests must not clear any cache (the
    shop's Redis is the live one), and they need a running shop."""
    if request.node.get_closest_marker("production"):
        require_running_shop()
    yield


def production_env():
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    for line in Path(os.environ["PROD_ENV_FILE"]).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def shop_shell(code, timeout=120):
    """Run Python in the shop (``manage.py shell -c``) under production settings; the last
    line it prints is read as JSON."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for(predicate, seconds, every=1.0, what="the condition"):
    """Poll ``predicate`` until it returns something truthy, at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(every)


TEAM = ("team@example.cn", "team-car-2026")  # README's demo users


class Visitor:
    """One browser: a cookie jar, GET pages and submit the forms they hold."""

    def __init__(self):
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "nongzhu-prod-stage"

    def get(self, path, expect=200, **kwargs):
        response = self.http.get(urljoin(BASE_URL + "/", path), timeout=30, **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.text[:500])
        return response

    def page(self, path):
        response = self.get(path)
        return response, BeautifulSoup(response.text, "html.parser")

    @staticmethod
    def form_fields(form):
        """What a browser sends for ``form`` untouched: hidden and filled inputs, checked
        boxes, selected options (the CSRF token among them)."""
        data = {}
        for field in form.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if not name or field.has_attr("disabled"):
                continue
            if field.name == "select":
                chosen = field.find("option", selected=True) or field.find("option")
                data[name] = chosen.get("value", chosen.text) if chosen else ""
            elif field.name == "textarea":
                data[name] = field.text
            elif field.get("type") in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    data[name] = field.get("value", "on")
            elif field.get("type") not in ("submit", "button", "image", "file"):
                data[name] = field.get("value", "")
        return data

    def submit(self, page_url, form, expect=(200,), **values):
        """POST ``form`` (a BeautifulSoup form from ``page_url``) with ``values`` changed,
        following redirects; answers the final response."""
        data = self.form_fields(form)
        data.update(values)
        button = form.find("button", attrs={"name": True}) or form.find(
            "input", attrs={"type": "submit", "name": True}
        )
        if button is not None and button["name"] not in data:
            data[button["name"]] = button.get("value", "")
        action = urljoin(urljoin(BASE_URL + "/", page_url), form.get("action") or page_url)
        response = self.http.post(
            action, data=data, headers={"Referer": urljoin(BASE_URL + "/", page_url)}, timeout=60
        )
        assert response.status_code in expect, (
            action,
            response.status_code,
            response.text[:1500],
        )
        return response

    def add_to_basket(self, product_url, product_id, **values):
        """Tap "加入购物车" on a product page (the quantity the page offers unless given);
        answers the product page's soup as it was before the tap."""
        page, soup = self.page(product_url)
        form = soup.find("form", action=re.compile(rf"/basket/add/{product_id}/$"))
        assert form is not None, f"no add-to-basket form on {product_url}"
        self.submit(product_url, form, **values)
        return page, soup

    def place_order(self, **values):
        """Open the confirm page, check the chosen runs (and institution) are offered, then
        tap "提交订单" with ``values``; answers the thank-you response. A value given as a
        compiled pattern picks the offered choice it matches (``re.compile("^run-7-")``)."""
        url = "/shop/checkout/confirm/"
        response, soup = self.page(url)
        assert response.url.endswith(url), response.url
        for name, value in list(values.items()):
            if name.startswith("method_code") or name == "institution":
                offered = soup.find("input", attrs={"name": name, "value": value})
                assert offered is not None, f"{name}={value} is not offered at checkout"
                values[name] = offered["value"]
        form = soup.find("button", attrs={"data-testid": "place-order"}).find_parent("form")
        response = self.submit(url, form, **values)
        assert "/thank-you/" in response.url, response.text[:2000]
        return response

    def login(self, email, password):
        url = "/shop/accounts/login/"
        _, soup = self.page(url)
        form = soup.find("input", attrs={"name": "login-username"}).find_parent("form")
        response = self.submit(url, form, **{"login-username": email, "login-password": password})
        assert "/accounts/login/" not in response.url, "still on the login page"
        return response


@pytest.fixture(scope="session")
def journey():
    """What one journey leaves for the next (the order, the run), in the order they run."""
    return {}


@pytest.fixture(scope="module")
def team_member():
    """A team member of the demo's first team, signed in once per module."""
    require_running_shop()
    visitor = Visitor()
    visitor.login(*TEAM)
    return visitor
