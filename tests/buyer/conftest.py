"""Fixtures for the buyer-after-the-order tests: a guest's order on a run, and a stand-in
for the SMS provider's API on 127.0.0.1 that the real SDK talks to over HTTP."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.order.factories import make_order

PHONE = "13812345678"


@pytest.fixture
def guest_order(run, eggs):
    """A guest's order of 10 eggs for pickup on ``run``, mobile 138 1234 5678."""
    return make_order(run, [(eggs, 10)], email="")


class SmsProvider:
    """Answers Tencent Cloud SMS's ``SendSms`` as the real API does and keeps each request."""

    def __init__(self):
        self.requests = []
        self.fail_with = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                sent = json.loads(body)
                code = provider.fail_with or "Ok"
                answer = {
                    "Response": {
                        "SendStatusSet": [
                            {
                                "SerialNo": f"sn-{len(provider.requests)}",
                                "PhoneNumber": sent["PhoneNumberSet"][0],
                                "Fee": 1,
                                "SessionContext": sent.get("SessionContext", ""),
                                "Code": code,
                                "Message": "send success" if code == "Ok" else code,
                                "IsoCode": "CN",
                            }
                        ],
                        "RequestId": f"req-{len(provider.requests)}",
                    }
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def sent(self):
        return [request["json"] for request in self.requests]


@pytest.fixture
def sms_provider(settings):
    provider = SmsProvider()
    provider.thread.start()
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ENDPOINT = provider.endpoint
    settings.SMS_SECRET_ID = "test-id"
    settings.SMS_SECRET_KEY = "test-key"
    settings.SMS_APP_ID = "1400000000"
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()
