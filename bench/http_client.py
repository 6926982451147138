"""The benchmarks' HTTP side: a buyer with a cookie jar, and the guest checkout she runs.

Shared by bench/checkout_bench.py and bench/load_bench.py. Standard library only; every
request goes to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import re
import secrets
import socket
import string
import time
import urllib.parse
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
ALNUM = string.ascii_letters + string.digits
# Words the basket page uses when the last units went to someone else.
SOLD_OUT_WORDS = (
    "卖完",
    "只剩",
    "库存",
    "无货",
    "不可购买",
    "no longer available",
    "not available",
)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def csrf_secret():
    """Django accepts a client-chosen CSRF secret (32 letters/digits) sent back as the token."""
    return "".join(secrets.choice(ALNUM) for _ in range(32))


def wait_for_server(port, proc, timeout=60, path="/healthz/"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited early")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


class Response:
    def __init__(self, status, headers, text):
        self.status = status
        self.headers = headers
        self.text = text

    @property
    def location(self):
        return self.headers.get("Location") or ""

    def header(self, name, default=None):
        return self.headers.get(name, default)


class Browser:
    """One buyer: a keep-alive connection, a cookie jar with a CSRF secret, and the SQL
    query count the server reports (``X-SQL-Queries`` in BENCH_MODE) summed over requests."""

    def __init__(self, port, cookies=None, timeout=30):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies = dict(cookies or {})
        self.cookies.setdefault("csrftoken", csrf_secret())
        self.sql = 0

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, data=None):
        headers = {"Host": HOST, "Cookie": self.cookie_header()}
        body = None
        if data is not None:
            token = self.cookies.get("csrftoken", "")
            body = urllib.parse.urlencode(dict(data, csrfmiddlewaretoken=token))
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": token,
                    "Referer": f"http://{HOST}/",
                }
            )
        try:
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The server closed the kept-alive connection: one fresh try.
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
        text = raw.read().decode("utf-8", "replace")
        for header in raw.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.sql += int(raw.getheader("X-SQL-Queries") or 0)
        return Response(raw.status, raw.msg, text)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def close(self):
        self.conn.close()


def guest_checkout(browser, add_path, quantity=1, code=None, thank_you=False):
    """A guest buys ``quantity`` of the product behind ``add_path`` for pickup and pays on
    pickup, the way the basket's "去结算" button leads: add to basket → the one-page order
    confirmation (its first pickup stop, or ``code``) → "提交订单" with name, mobile,
    e-mail, run and payment in one post (→ thank-you page).

    Returns "ordered", "refused" (told it is sold out) or a description of what went wrong.
    """
    response = browser.post(add_path, {"quantity": quantity})
    if response.status not in (200, 302):
        return f"{add_path} → {response.status}"
    if code is None:
        response = browser.get("/shop/checkout/confirm/")
        if response.status != 200:
            return f"confirm page → {response.status}"
        found = re.search(r'name="method_code" value="([^"]+)"', response.text)
        code = found.group(1) if found else ""
    response = browser.post(
        "/shop/checkout/confirm/",
        {
            "first_name": "林小满",
            "phone_number": "13812345678",
            "guest_email": "guest@example.cn",
            "line1": "",
            "line4": "",
            "notes": "",
            "method_code": code,
            "method": "pay-on-pickup",
        },
    )
    if response.status == 302 and "thank-you" in response.location:
        if thank_you:
            browser.get(urllib.parse.urlsplit(response.location).path)
        return "ordered"
    text = response.text
    if response.status == 302 and "/basket/" in response.location:
        # Oscar's last check sends the buyer back to the basket with the reason.
        text = browser.get("/shop/basket/").text
    if any(word in text for word in SOLD_OUT_WORDS):
        return "refused"
    return f"place order → {response.status} {response.location}"
