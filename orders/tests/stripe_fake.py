"""A stand-in for Stripe's API in tests: the real stripe library, no network.

The library builds and sends its requests as usual; this HTTP client answers them
from a table of canned responses and keeps what was asked.
"""

import json
import time
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_test_secret_for_tests_only"


class FakeStripeHTTP(stripe.HTTPClient):
    name = "fake"

    def __init__(self):
        super().__init__()
        self.responses: dict[tuple[str, str], tuple[int, dict]] = {}
        self.requests: list[dict] = []

    def answer(self, method: str, path: str, body: dict, status: int = 200) -> None:
        self.responses[(method.upper(), path)] = (status, body)

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or ""))
        self.requests.append(
            {"method": method.upper(), "path": parts.path, "params": params, "headers": headers}
        )
        status, body = self.responses.get(
            (method.upper(), parts.path),
            (404, {"error": {"type": "invalid_request_error", "message": "No such thing"}}),
        )
        return json.dumps(body), status, {"request-id": "req_fake"}

    def close(self):
        pass

    def paths(self, method: str = "POST") -> list[str]:
        return [r["path"] for r in self.requests if r["method"] == method]


def signed(payload: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """The body and Stripe-Signature header Stripe would send for an event."""
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp or int(time.time())
    )
    return body, header


def session_event(
    event_type: str, session_id: str, *, amount: int, currency: str = "usd", **fields
) -> dict:
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_total": amount,
        "currency": currency,
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
        "status": "complete",
    } | fields
    return {
        "id": f"evt_{event_type}_{session_id}",
        "object": "event",
        "type": event_type,
        "data": {"object": session},
    }
