"""Scoring providers: what turns a sitting's answers into scores (P11).

A provider sees only a random sitting token, the instrument's code and the answers
by item code. It never receives, and has no way to ask for, the person's name,
e-mail address, user id, IP address or order.

`local` (the default) scores in the Celery worker; `http` posts to a scoring
partner. Both apply the rule documented beside the instrument data
(assessments/data/*.toml): points = answer - 1, a scale's score is the sum of its
items' points.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings

SIGNATURE_HEADER = "X-Scoring-Signature"
TIMESTAMP_HEADER = "X-Scoring-Timestamp"
# A signed message older than this is refused, so a captured one cannot be replayed.
SIGNATURE_MAX_AGE = 300


@dataclass(frozen=True)
class ScoringKey:
    """What a scorer needs to know about an instrument: no one's data, only its shape."""

    instrument_code: str
    scale_codes: tuple[str, ...]  # in the instrument's order, which also breaks ties
    item_scales: dict[str, str]  # item code → scale code

    def maximum(self, scale_code: str) -> int:
        return 4 * sum(1 for scale in self.item_scales.values() if scale == scale_code)


class ScoringUnavailable(Exception):
    """The scorer could not score this sitting now; scoring is tried again later."""


class ScoringProvider(Protocol):
    name: str

    def score(self, *, token: str, key: ScoringKey, answers: dict[str, int]) -> dict[str, int]:
        """Scores by scale code, for a complete set of answers (item code → 1 to 5)."""
        ...


def local_scores(*, key: ScoringKey, answers: dict[str, int]) -> dict[str, int]:
    scores = dict.fromkeys(key.scale_codes, 0)
    for item_code, value in answers.items():
        scores[key.item_scales[item_code]] += value - 1
    return scores


def scores_rank(*, key: ScoringKey, scores: dict[str, int]) -> list[str]:
    """Scale codes from the highest score down; equal scores keep the instrument's order."""
    return sorted(key.scale_codes, key=lambda code: (-scores[code], key.scale_codes.index(code)))


class LocalScorer:
    name = "local"

    def score(self, *, token: str, key: ScoringKey, answers: dict[str, int]) -> dict[str, int]:
        return local_scores(key=key, answers=answers)


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signature_is_valid(*, secret: str, timestamp: str, body: bytes, claimed: str) -> bool:
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    # As bytes: compare_digest refuses str with other than ASCII, which a header may hold.
    return age <= SIGNATURE_MAX_AGE and hmac.compare_digest(expected.encode(), claimed.encode())


def scoring_request_body(*, token: str, key: ScoringKey, answers: dict[str, int]) -> bytes:
    """The whole of what the partner receives: these three keys and nothing else."""
    payload = {"token": token, "instrument": key.instrument_code, "answers": answers}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class HttpScorer:
    """A scoring partner reached over HTTPS, both ways signed with a shared secret.

    Request: POST JSON {"token", "instrument", "answers"}; response: 200 with JSON
    {"token": <the same token>, "scores": {scale code: integer}}, signed the same way.
    """

    name = "http"

    def __init__(self, *, url: str, secret: str, timeout: float):
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def score(self, *, token: str, key: ScoringKey, answers: dict[str, int]) -> dict[str, int]:
        body = scoring_request_body(token=token, key=key, answers=answers)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "CareerPerfect-Scoring/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret=self.secret, timestamp=timestamp, body=body),
        }
        try:
            with requests.post(
                self.url,
                data=body,
                headers=headers,
                # (connect, read): a partner that hangs must not hold a worker.
                timeout=(min(5, self.timeout), self.timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                if response.status_code != 200:
                    raise ScoringUnavailable(
                        f"scoring partner answered HTTP {response.status_code}"
                    )
                content = self._answer(response)
        except requests.RequestException as error:
            raise ScoringUnavailable(
                f"scoring partner unreachable: {type(error).__name__}"
            ) from None
        if not signature_is_valid(
            secret=self.secret,
            timestamp=response.headers.get(TIMESTAMP_HEADER, ""),
            body=content,
            claimed=response.headers.get(SIGNATURE_HEADER, ""),
        ):
            raise ScoringUnavailable("scoring partner's answer is not signed correctly")
        return _scores_from_partner(content, token=token, key=key)

    def _answer(self, response) -> bytes:
        """The answer's body, refused when longer than any real answer, or when it comes
        so slowly that it would take longer than the timeout in all (the read timeout
        only limits each wait for more bytes)."""
        deadline = time.monotonic() + self.timeout
        content = b""
        for chunk in response.iter_content(chunk_size=8192):
            content += chunk
            if len(content) > MAX_ANSWER_BYTES:
                raise ScoringUnavailable("scoring partner's answer is too long")
            if time.monotonic() > deadline:
                raise ScoringUnavailable("scoring partner's answer took too long")
        return content


# A real answer is a token and a few small integers: well under a kilobyte.
MAX_ANSWER_BYTES = 64 * 1024


def _scores_from_partner(content: bytes, *, token: str, key: ScoringKey) -> dict[str, int]:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        raise ScoringUnavailable("scoring partner's answer is not JSON") from None
    if not isinstance(data, dict) or data.get("token") != token:
        raise ScoringUnavailable("scoring partner's answer is for another sitting or malformed")
    scores = data.get("scores")
    if not isinstance(scores, dict):
        raise ScoringUnavailable("scoring partner's answer has no scores")
    if set(scores) != set(key.scale_codes) or not all(
        type(value) is int and 0 <= value <= key.maximum(code) for code, value in scores.items()
    ):
        raise ScoringUnavailable("scoring partner's scores do not fit the instrument")
    return scores


def scoring_provider() -> ScoringProvider:
    if settings.ASSESSMENT_SCORING_PROVIDER == "http":
        return HttpScorer(
            url=settings.ASSESSMENT_SCORING_URL,
            secret=settings.ASSESSMENT_SCORING_SECRET,
            timeout=settings.ASSESSMENT_SCORING_TIMEOUT,
        )
    return LocalScorer()
