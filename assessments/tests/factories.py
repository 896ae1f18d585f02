"""Test helpers for assessments: people who own the software, sittings with answers,
and a scoring partner running on loopback."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from accounts.tests.factories import UserFactory
from assessments.instrument_data import instruments_load, occupations_load
from assessments.models import Instrument, Result, Sitting
from assessments.scoring import SIGNATURE_HEADER, TIMESTAMP_HEADER
from assessments.services import sitting_answers_save, sitting_start
from orders.models import Entitlement
from orders.tests.factories import paid_entitlement

RIASEC = "riasec-interests"
VALUES = "work-values"


def instruments_reload() -> None:
    """Load the instruments and occupations again: they come from a data migration,
    and a transactional test (browser, live worker) may follow one that flushed them."""
    from django.apps import apps

    instruments_load(apps)
    occupations_load(apps)


def owner_with_software(**fields):
    """A person whose paid software order unlocks the assessments."""
    user = UserFactory(**fields)
    paid_entitlement(user=user, kind=Entitlement.Kind.ASSESSMENTS)
    return user


def instrument(code: str = RIASEC) -> Instrument:
    return Instrument.objects.get(code=code)


def answers_by_scale(instrument: Instrument, values: dict[str, int]) -> dict[int, int]:
    """Item id → value, giving every item of a scale the value listed for that scale."""
    return {item.pk: values[item.scale.code] for item in instrument.items.select_related("scale")}


def sitting_answered(user, *, code: str = RIASEC, values: dict[str, int] | None = None) -> Sitting:
    """An open sitting with every item answered (3, "unsure", unless values say otherwise)."""
    chosen = instrument(code)
    sitting = sitting_start(user=user, instrument=chosen)
    values = values or {scale.code: 3 for scale in chosen.scales.all()}
    sitting_answers_save(sitting=sitting, answers=answers_by_scale(chosen, values))
    return sitting


def sitting_scored(user, *, code: str = RIASEC, scores: dict[str, int] | None = None) -> Sitting:
    """A submitted, scored sitting, its result written directly."""
    sitting = sitting_answered(user, code=code)
    chosen = sitting.instrument
    codes = list(chosen.scales.order_by("position").values_list("code", flat=True))
    scores = scores or {scale: 10 + index for index, scale in enumerate(codes)}
    Result.objects.create(
        sitting=sitting,
        scores=scores,
        ranking=sorted(codes, key=lambda c: (-scores[c], codes.index(c))),
        provider="local",
    )
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.SCORED)
    sitting.refresh_from_db()
    return sitting


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that timed out and hung up is what some tests want; say nothing.
        pass


class StubScoringPartner:
    """A real HTTP server on 127.0.0.1 playing the scoring partner.

    It records every request; `inspect(request)` returns the list of problems it sees
    in one (the P11 test passes a strict one). `respond` decides the answer.
    """

    def __init__(self, *, secret: str, inspect: Callable[[dict], list[str]] | None = None):
        self.secret = secret
        self.inspect = inspect or (lambda request: [])
        self.requests: list[dict] = []
        self.violations: list[str] = []
        self.status = 200
        self.delay = 0.0
        self.sign_response = True
        # Seconds between 10-byte pieces of the answer: a partner that trickles it.
        self.trickle = 0.0
        # Changes the answer before it is signed, to play a partner that gets it wrong.
        self.tamper: Callable[[dict], dict] | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                stub.requests.append(request)
                stub.violations.extend(stub.inspect(request))
                if stub.delay:
                    time.sleep(stub.delay)
                stub.answer(self, request)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/score"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def answer(self, handler, request):
        if self.status != 200:
            handler.send_response(self.status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        payload = json.loads(request["body"])
        scores: dict[str, int] = {}
        for item_code, value in payload["answers"].items():
            scale = item_code.rstrip("0123456789")
            scores[scale] = scores.get(scale, 0) + value - 1
        answer = {"token": payload["token"], "scores": scores}
        if self.tamper:
            answer = self.tamper(answer)
        body = json.dumps(answer).encode()
        timestamp = str(int(time.time()))
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        if self.sign_response:
            handler.send_header(TIMESTAMP_HEADER, timestamp)
            handler.send_header(SIGNATURE_HEADER, f"sha256={mac.hexdigest()}")
        handler.end_headers()
        if not self.trickle:
            handler.wfile.write(body)
            return
        for start in range(0, len(body), 10):
            handler.wfile.write(body[start : start + 10])
            handler.wfile.flush()
            time.sleep(self.trickle)
