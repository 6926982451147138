"""The production-shaped stage's Stripe: ``tests.payment.fake_stripe`` (the shapes Stripe
documents for Checkout Sessions and Refunds) served over HTTP on loopback, so the shop's
gunicorn and worker reach it through the real ``stripe`` library (``STRIPE_API_BASE``).

``POST /_stage/pay/<session id>`` plays the buyer paying on Stripe's page and answers the
paid session, which a journey then sends to the shop's webhook, signed.

    python -m tests.production.fake_stripe_server PORT
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

from tests.payment.fake_stripe import FakeStripe

STRIPE = FakeStripe()
LOCK = Lock()


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        with LOCK:
            if method == "post" and self.path.startswith("/_stage/pay/"):
                session_id = self.path.rsplit("/", 1)[-1]
                if session_id not in STRIPE.sessions:
                    return self._answer(404, json.dumps({"error": "no such session"}))
                return self._answer(200, json.dumps(STRIPE.pay(session_id)))
            headers = {"Idempotency-Key": self.headers.get("Idempotency-Key")}
            try:
                answer, status, extra = STRIPE.request(method, self.path, headers, body)
            except (KeyError, ValueError) as problem:  # a request the stand-in cannot read
                answer, status, extra = json.dumps({"error": {"message": repr(problem)}}), 400, {}
        return self._answer(status, answer, extra)

    def do_GET(self):  # noqa: N802
        self._handle("get")

    def do_POST(self):  # noqa: N802
        self._handle("post")

    def do_DELETE(self):  # noqa: N802
        self._handle("delete")


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
