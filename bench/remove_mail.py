"""Benchmark: mixed inbound mail through the "remove" processing function (P5).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.remove_mail [--messages 10000]

Builds N real-world-shaped messages (remove requests from account holders and from
unknown addresses, ordinary mail, auto-replies, bounces, list mail, duplicates,
garbage), then times, in the same run, the standard library parsing them
(email.message_from_bytes with the default policy) and our processing function
handling them on a scratch database. Target: processing rate / parse rate >= 0.3.
"""

import argparse
import random
import time
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bench.scratch import django_setup, scratch_database, vendor

TARGET_RATIO = 0.3

PARAGRAPHS = [
    "Thanks for the resume review last week. The new summary reads much better.",
    "Could you tell me when my writer will send the second draft?",
    "I am moving to another city and would like to update my address on file.",
    "Our team meeting is moved to Thursday; the agenda is attached below.",
    "Please find the invoice for October. Payment terms are thirty days.",
]


def _received(rng: random.Random, n: int) -> list[str]:
    return [
        f"from mx{rng.randint(1, 99)}.example.net (mx{rng.randint(1, 99)}.example.net "
        f"[192.0.2.{rng.randint(1, 254)}]) by mail.careerperfect.example with ESMTPS id "
        f"{rng.getrandbits(64):x}; Sun, 29 Nov 2026 09:{i:02d}:00 +0000"
        for i in range(n)
    ]


def _message(rng, *, sender, subject, headers=(), report=False) -> bytes:
    message = EmailMessage()
    for value in _received(rng, 3):
        message["Received"] = value
    message["Authentication-Results"] = "mail.careerperfect.example; dkim=pass; spf=pass"
    message["DKIM-Signature"] = "v=1; a=rsa-sha256; d=example.net; s=s1; b=" + "A" * 300
    message["From"] = sender
    message["To"] = "CareerPerfect <admin@careerperfect.localhost>"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 29, 9, rng.randint(0, 59), tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="example.net")
    for name, value in headers:
        message[name] = value
    text = "\n\n".join(rng.choice(PARAGRAPHS) for _ in range(rng.randint(3, 8)))
    if report:
        message["Content-Type"] = 'multipart/report; report-type=delivery-status; boundary="r"'
        head = message.as_bytes().split(b"\n\n", 1)[0]
        return head + (
            b"\n\n--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
            b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n"
            b"\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n--r--\n"
        )
    message.set_content(text)
    message.add_alternative(
        "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>",
        subtype="html",
    )
    return message.as_bytes()


def messages(count: int, accounts: list[str], seed: int = 5) -> list[bytes]:
    rng = random.Random(seed)
    result: list[bytes] = []
    removes: list[bytes] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.25:
            subject = rng.choice(["remove", "Re: remove", "REMOVE me please", "[News] Unsubscribe"])
            removes.append(_message(rng, sender=rng.choice(accounts), subject=subject))
            result.append(removes[-1])
        elif roll < 0.35:
            result.append(
                _message(
                    rng,
                    sender=f"Stranger {n} <stranger{n}@example.org>",
                    # Non-ASCII: the message goes out RFC 2047-encoded and folded.
                    subject="Re: [CareerPerfect] unsubscribe, s\u2019il vous pla\u00eet",
                )
            )
        elif roll < 0.70:
            result.append(
                _message(
                    rng,
                    sender=f"Person {n} <person{n}@example.com>",
                    subject=rng.choice(["Question about my order", "I removed my old CV", "Hello"]),
                )
            )
        elif roll < 0.78:
            result.append(
                _message(
                    rng,
                    sender=rng.choice(accounts),
                    subject="Automatic reply: remove",
                    headers=[("Auto-Submitted", "auto-replied")],
                )
            )
        elif roll < 0.82:
            result.append(
                _message(
                    rng,
                    sender="Mail Delivery System <MAILER-DAEMON@mx.example.net>",
                    subject="Undelivered Mail Returned to Sender",
                    headers=[("Return-Path", "<>")],
                    report=True,
                )
            )
        elif roll < 0.85:
            result.append(
                _message(
                    rng,
                    sender="news@lists.example.org",
                    subject="[list] weekly digest: how to remove stains",
                    headers=[("Precedence", "list")],
                )
            )
        elif roll < 0.95 and removes:
            # Delivered again (a retried webhook, a mailbox read twice): the same bytes.
            result.append(rng.choice(removes))
        else:
            result.append(
                b"Subject: \xff\xfe=?bogus?Q?remove\r\nFrom: <<<@@@>>>\r\n\r\n"
                + rng.randbytes(rng.randint(50, 2000))
            )
    return result


def accounts_create(count: int, prefix: str = "member") -> list[str]:
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from consent.purposes import COMMUNICATION_PURPOSES, Source
    from consent.services import consent_grant

    addresses = []
    for n in range(count):
        email = f"{prefix}{n}@example.com"
        user = User.objects.create_user(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        for purpose in COMMUNICATION_PURPOSES:
            consent_grant(user=user, purpose=purpose, source=Source.SIGNUP)
        addresses.append(f"{prefix.title()} {n} <{email}>")
    return addresses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    args = parser.parse_args()
    django_setup()
    import email
    import email.policy

    from mail.models import InboundMessage
    from mail.services import inbound_message_process

    with scratch_database():
        started = time.perf_counter()
        accounts = accounts_create(args.accounts)
        corpus = messages(args.messages, accounts)
        setup_seconds = time.perf_counter() - started
        size = sum(len(raw) for raw in corpus)

        # Both rates are of a running process: modules a first message imports (the
        # URLconf, templates, the e-mail package's parts) are loaded before timing,
        # with messages from accounts of their own, left out of the outcomes below.
        for raw in messages(100, accounts_create(20, prefix="warmup"), seed=1):
            email.message_from_bytes(raw, policy=email.policy.default)
            inbound_message_process(raw=raw, source=InboundMessage.Source.FILE)
        warm_up = Counter(InboundMessage.objects.values_list("outcome", flat=True))

        # Parsing and processing alternate slice by slice, so that both rates are taken
        # under the same conditions on a machine whose load changes.
        parse_seconds = process_seconds = 0.0
        for start in range(0, len(corpus), 100):
            batch = corpus[start : start + 100]
            started = time.perf_counter()
            for raw in batch:
                email.message_from_bytes(raw, policy=email.policy.default)
            parse_seconds += time.perf_counter() - started
            started = time.perf_counter()
            for raw in batch:
                inbound_message_process(raw=raw, source=InboundMessage.Source.FILE)
            process_seconds += time.perf_counter() - started
        outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True)) - warm_up

    parse_rate = len(corpus) / parse_seconds
    process_rate = len(corpus) / process_seconds
    ratio = process_rate / parse_rate
    print("bench/remove_mail.py: inbound 'remove' processing")
    print(f"  database             {vendor()}")
    print(f"  messages             {len(corpus)} ({size / len(corpus) / 1024:.1f} KiB average)")
    print(f"  accounts             {args.accounts} (set-up {setup_seconds:.1f} s)")
    print(f"  outcomes             {dict(sorted(outcomes.items()))}")
    print(f"  stdlib parse only    {parse_rate:9.0f} msgs/s")
    print(f"  processing function  {process_rate:9.0f} msgs/s")
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"  ratio                {ratio:9.3f}  ({verdict} the target >= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
