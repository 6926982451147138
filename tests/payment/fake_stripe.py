"""A stand-in for api.stripe.com, plugged into the real ``stripe`` library as its HTTP client.

It answers with the shapes Stripe documents for Checkout Sessions and Refunds (ids,
amounts in fen, statuses), remembers idempotency keys the way Stripe does (same key →
same answer, nothing done twice) and records every request so tests can look at what
was sent. ``pay`` plays the buyer paying on Stripe's page.
"""

import itertools
import json
import time
from urllib.parse import parse_qsl, urlsplit

import stripe

_ids = itertools.count(1)


def _id(prefix):
    return f"{prefix}_test_{next(_ids):06d}a1B2c3D4"


def unflatten(pairs):
    """Stripe's form encoding (``line_items[0][price_data][currency]=cny``) back to dicts."""
    out = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


class FakeStripe(stripe.HTTPClient):
    name = "fake-stripe"

    def __init__(self):
        super().__init__()
        self.forget()

    def forget(self):
        """Start with nothing remembered. Also for a test that rolls the shop's database
        back between cases (hypothesis's examples), where the same order number comes
        again and would find the last case's idempotency key and session."""
        self.requests = []
        self.sessions = {}
        self.refunds = {}
        self.charged = {}  # payment intent → amount in fen
        self.seen_keys = {}
        self.down = False  # True: every request fails like a network error
        self.refund_status = "succeeded"  # "pending": new refunds wait, like a bank transfer

    # -- the buyer at Stripe ------------------------------------------------------
    def pay(self, session_id, method="wechat_pay"):
        session = self.sessions[session_id]
        intent = _id("pi")
        session.update(status="complete", payment_status="paid", payment_intent=intent)
        session["payment_method_types"] = session["payment_method_types"]
        self.charged[intent] = session["amount_total"]
        return session

    def expire(self, session_id):
        self.sessions[session_id].update(status="expired")
        return self.sessions[session_id]

    def finish_refund(self, refund_id, status="succeeded", failure_reason=None):
        """Stripe finishing a pending refund later (or failing it); returns the refund."""
        refund = self.refunds[refund_id]
        refund["status"] = status
        if failure_reason:
            refund["failure_reason"] = failure_reason
        return dict(refund)

    def last(self, path_part):
        return [r for r in self.requests if path_part in r["path"]][-1]

    # -- HTTP -----------------------------------------------------------------------
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.down:
            raise stripe.APIConnectionError("fake network is down")
        path = urlsplit(url).path
        query = urlsplit(url).query
        params = unflatten(parse_qsl(post_data or query or "", keep_blank_values=True))
        key = (headers or {}).get("Idempotency-Key")
        self.requests.append({"method": method, "path": path, "params": params, "key": key})
        if method == "post" and key and key in self.seen_keys:
            return self.seen_keys[key]
        status, body = self.route(method, path, params)
        answer = (json.dumps(body), status, {"request-id": _id("req")})
        if method == "post" and key:
            self.seen_keys[key] = answer
        return answer

    def request_stream(self, *args, **kwargs):  # pragma: no cover - not used
        raise NotImplementedError

    def close(self):
        pass

    def route(self, method, path, params):
        parts = path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if len(parts) == 3 and method == "post":
                return 200, self.create_session(params)
            session = self.sessions.get(parts[3])
            if session is None:
                return 404, error("resource_missing", "No such checkout.session")
            if len(parts) == 5 and parts[4] == "expire":
                if session["status"] != "open":
                    return 400, error(None, "This Checkout Session is not in an expirable state.")
                session["status"] = "expired"
            return 200, session
        if parts[:2] == ["v1", "refunds"] and method == "post" and len(parts) == 2:
            return self.create_refund(params)
        if parts[:2] == ["v1", "refunds"] and method == "get" and len(parts) == 3:
            if parts[2] not in self.refunds:
                return 404, error("resource_missing", f"No such refund: '{parts[2]}'")
            return 200, self.refunds[parts[2]]
        return 404, error("resource_missing", "Unrecognized request URL")

    def create_session(self, params):
        session_id = _id("cs")
        item = params["line_items"]["0"]
        amount = sum(  # one line per order (a split basket's session pays several)
            int(line["price_data"]["unit_amount"]) * int(line["quantity"])
            for line in params["line_items"].values()
        )
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params["cancel_url"],
            "client_reference_id": params.get("client_reference_id"),
            "created": int(time.time()),
            "currency": item["price_data"]["currency"],
            "customer": None,
            "customer_details": {"email": params.get("customer_email")},
            "customer_email": params.get("customer_email"),
            "expires_at": int(params["expires_at"]),
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": params.get("metadata", {}),
            "mode": "payment",
            "payment_intent": None,
            "payment_method_options": params.get("payment_method_options", {}),
            "payment_method_types": [
                params["payment_method_types"][k] for k in sorted(params["payment_method_types"])
            ],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        return session

    def create_refund(self, params):
        intent = params.get("payment_intent")
        if intent not in self.charged:
            return 400, error("resource_missing", f"No such payment_intent: '{intent}'")
        amount = int(params["amount"])
        done = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent and r["status"] not in ("failed", "canceled")
        )
        if done + amount > self.charged[intent]:
            return 400, error(
                "charge_already_refunded",
                f"Refund amount ({amount / 100:.2f}) is greater than unrefunded amount on charge.",
            )
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": _id("txn"),
            "charge": _id("ch"),
            "created": int(time.time()),
            "currency": "cny",
            "metadata": params.get("metadata", {}),
            "payment_intent": intent,
            "reason": params.get("reason"),
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": self.refund_status,
            "transfer_reversal": None,
        }
        self.refunds[refund["id"]] = refund
        return 200, dict(refund)


def error(code, message):
    return {"error": {"code": code, "message": message, "type": "invalid_request_error"}}


current = None


def current_client():
    """``settings.STRIPE_HTTP_CLIENT_FACTORY`` points here during tests."""
    return current
