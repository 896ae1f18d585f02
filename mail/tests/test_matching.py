"""Which e-mails are "remove" requests, from whom, and which are automatic (P5)."""

import base64
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail.inbound import (
    MAX_HEADER_CHARS,
    MAX_RAW_HEADER_CHARS,
    _decode_header_value,
    inbound_parse,
)
from mail.tests.factories import raw_email

DATA = Path(__file__).parent / "data"
CORPUS = sorted((DATA / "cpython_test_email").glob("msg_*.txt")) + sorted(
    (DATA / "mail_parser").glob("*.eml")
)
SAMPLES = sorted((Path(__file__).parents[1] / "samples").glob("*.eml"))


def parse(raw: bytes):
    return inbound_parse(raw)


def fullwidth(text: str) -> str:
    """ASCII text in full-width forms (U+FF01 to U+FF5E)."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@pytest.mark.parametrize(
    "subject",
    [
        "remove",
        "REMOVE",
        "Remove me please",
        "Re: remove",
        "RE:remove",
        "Fwd: Re: [CareerPerfect news] Remove",
        "[List] unsubscribe",
        "Unsubscribe",
        "please REMOVE-me",
        "remove!",
        "(remove)",
        "remove_me",  # The underscore parts words here: a false "no" would keep the mail.
        fullwidth("REMOVE"),  # As Japanese input methods type it.
        fullwidth("Re:unsubscribe"),
    ],
)
def test_the_word_remove_or_unsubscribe_anywhere_in_the_subject_matches(subject):
    assert parse(raw_email(subject=subject)).asks_removal


@pytest.mark.parametrize(
    "subject",
    [
        "removed",
        "I removed my resume",
        "remover",
        "unsubscribed",
        "removal",
        "re-move",
        fullwidth("REMOVED"),
        "",
        "Question about my order",
    ],
)
def test_other_words_do_not_match(subject):
    assert not parse(raw_email(subject=subject)).asks_removal


def test_an_rfc2047_encoded_subject_is_decoded_before_matching():
    raw = (
        b"From: a@example.com\r\n"
        b"Subject: =?utf-8?b?UmU6IFtuZXdzXSBSRU1PVkU=?=\r\n"
        b"Message-ID: <x@example.com>\r\n\r\nhi"
    )

    parsed = parse(raw)

    assert parsed.subject == "Re: [news] REMOVE"
    assert parsed.asks_removal


def test_a_subject_folded_over_lines_and_split_into_encoded_words_matches():
    raw = (
        b"From: a@example.com\r\n"
        b"Subject: =?iso-8859-1?q?Re=3A_=5Bnews=5D_un?=\r\n"
        b" =?iso-8859-1?q?subscribe_s=E9ance?=\r\n\r\nhi"
    )

    parsed = parse(raw)

    assert parsed.subject == "Re: [news] unsubscribe séance"
    assert parsed.asks_removal


def test_a_word_split_by_folding_in_a_plain_subject_is_not_joined():
    raw = b"From: a@example.com\r\nSubject: Please\r\n remove\r\n\r\nhi"

    assert parse(raw).subject == "Please remove"
    assert parse(raw).asks_removal


def test_the_sender_is_the_from_address_normalized_and_without_display_name():
    parsed = parse(raw_email(sender='"Seeker, Jordan" <JobSeeker@Example.COM>'))

    assert parsed.sender == "jobseeker@example.com"


def test_an_encoded_display_name_cannot_pose_as_the_address():
    raw = (
        b"From: =?utf-8?q?victim=40example=2Ecom?= <attacker@example.net>\r\n"
        b"Subject: remove\r\n\r\nhi"
    )

    assert parse(raw).sender == "attacker@example.net"


def test_an_international_domain_in_raw_utf8_is_normalized_to_ascii():
    raw = "From: Jürgen <juergen@Bücher.example>\r\nSubject: Entfernen: remove\r\n\r\nhi"

    parsed = parse(raw.encode("utf-8"))

    assert parsed.sender == "juergen@xn--bcher-kva.example"
    assert ("From", "Jürgen <juergen@Bücher.example>") in parsed.headers


def test_one_undecodable_encoded_word_does_not_hide_the_others():
    for subject in (
        b"=?utf-8?q?Re=3A_caf=E9?= please\r\n =?utf-8?b?cmVtb3ZlIG1l?=",
        b"=?x-unknown?q?hi?= there =?utf-8?b?cmVtb3ZlIG1l?=",
    ):
        parsed = parse(b"From: a@example.com\r\nSubject: " + subject + b"\r\n\r\nhi")

        assert "remove" in parsed.subject
        assert parsed.asks_removal


def test_an_encoded_word_never_closed_does_not_swallow_the_next():
    parsed = parse(
        b"From: a@example.com\r\nSubject: =?x?q?never closed, =?utf-8?b?cmVtb3Zl?=\r\n\r\n"
    )

    assert parsed.subject == "=?x?q?never closed, remove"
    assert parsed.asks_removal


def test_only_the_start_of_a_huge_evidence_header_is_decoded():
    hostile = b"=?a?q?x " * 100_000  # 800 KB of encoded words never closed
    raw = b"From: a@example.com\r\nTo: " + hostile + b"\r\nSubject: remove\r\n\r\nhi"

    with mock.patch("mail.inbound._decode_header_value", wraps=_decode_header_value) as decode:
        parsed = parse(raw)

    assert parsed.asks_removal
    assert max(len(call.args[0] or "") for call in decode.call_args_list) <= MAX_RAW_HEADER_CHARS
    [to] = [value for name, value in parsed.headers if name == "To"]
    assert to.startswith("=?a?q?x =?a?q?x") and len(to) == MAX_HEADER_CHARS


@pytest.mark.parametrize(
    ("subject", "decoded"),
    [
        (rb"C:\users\me =?UTF-8?B?cmVtb3Zl?=", r"C:\users\me remove"),
        (rb"\u0072emoved =?utf-8?q?please?=", r"\u0072emoved please"),
        (b"=?utf-8?q?a?=\r\n =?utf-8?q?b?= c =?utf-8?q?d?=", "ab c d"),
        (b"=?utf-8?b?not base64!?= remove", "=?utf-8?b?not base64!?= remove"),
        (b"=?utf-8*en?q?remove?=", "remove"),
    ],
)
def test_plain_text_between_encoded_words_stays_as_it_came(subject, decoded):
    parsed = parse(b"From: a@example.com\r\nSubject: " + subject + b"\r\n\r\nhi")

    assert parsed.subject == decoded


@pytest.mark.parametrize(
    "sender",
    [
        "john@example.com <JOHN@example.com>",
        "'john@example.com' <john@example.com>",
        "John Smith john@example.com <john@example.com>",
    ],
)
def test_an_address_as_an_unquoted_display_name_still_gives_the_sender(sender):
    raw = f"From: {sender}\r\nSubject: remove\r\n\r\nhi".encode()

    assert parse(raw).sender == "john@example.com"


def test_the_address_in_brackets_wins_over_one_in_an_unquoted_display_name():
    raw = b"From: victim@example.com <attacker@example.net>\r\nSubject: remove\r\n\r\nhi"

    assert parse(raw).sender == "attacker@example.net"


def test_an_address_longer_than_we_can_store_is_no_usable_sender():
    address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example"
    parsed = parse(f"From: {address}\r\nSubject: remove\r\n\r\nhi".encode())

    assert parsed.sender == ""
    assert parsed.sender_problem


def test_a_stray_comma_after_the_from_address_is_no_problem():
    parsed = parse(raw_email(sender="Alice <alice@example.com>,"))

    assert (parsed.sender, parsed.sender_problem) == ("alice@example.com", "")


def test_utf16_without_a_byte_order_mark_is_read_big_endian():
    encoded = base64.b64encode("remove".encode("utf-16-be")).decode()
    parsed = parse(f"From: a@example.com\r\nSubject: =?utf-16?b?{encoded}?=\r\n\r\n".encode())

    assert parsed.subject == "remove"
    assert parsed.asks_removal


@pytest.mark.parametrize("sender", ["", "Undisclosed recipients:;", "not an address"])
def test_a_message_without_a_usable_from_address_says_why(sender):
    parsed = parse(raw_email(sender=sender))

    assert parsed.sender == ""
    assert parsed.sender_problem


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, "Auto-Submitted: auto-replied"),
        ({"Auto-Submitted": "auto-generated; type=bounce"}, None, "Auto-Submitted"),
        ({"Precedence": "bulk"}, None, "Precedence: bulk"),
        ({"Precedence": "Junk"}, None, "Precedence: junk"),
        ({"Precedence": "list"}, None, "Precedence: list"),
        ({"Return-Path": "<>"}, None, "empty return path"),
        ({}, "MAILER-DAEMON@mx.example.com", "mailer-daemon"),
        ({}, "Postmaster <postmaster@example.org>", "postmaster"),
        ({}, "Mail Delivery System <MAILER-DAEMON>", "mailer-daemon"),
        ({"Precedence": "list (a mailing list)"}, None, "Precedence: list"),
        ({}, "CareerPerfect <admin@careerperfect.localhost>", "our own"),
        ({}, "noreply@careerperfect.localhost", "our own"),
        ({}, "Admin+Bounces@CareerPerfect.localhost", "our own"),
        ({"X-Autoreply": "yes"}, None, "auto-responder"),
    ],
)
def test_automatic_mail_is_recognised(headers, sender, reason):
    fields = {"headers": headers}
    if sender:
        fields["sender"] = sender

    parsed = parse(raw_email(**fields))

    assert reason in parsed.automatic_reason


@pytest.mark.parametrize("value", ["no", "No", "no (typed by a person)", "no (typed (by) me)"])
def test_auto_submitted_no_is_a_person_writing(value):
    parsed = parse(raw_email(headers={"Auto-Submitted": value, "Precedence": "first-class"}))

    assert parsed.automatic_reason == ""


def test_a_delivery_report_is_automatic():
    parsed = parse((Path(__file__).parents[1] / "samples" / "06-delivery-report.eml").read_bytes())

    assert parsed.automatic_reason


def test_an_envelope_sender_reported_empty_by_the_transport_is_a_bounce():
    assert inbound_parse(raw_email(), return_path="").automatic_reason
    assert inbound_parse(raw_email(), return_path="jobseeker@example.com").automatic_reason == ""


def test_the_dedupe_key_is_the_message_id_with_its_sender_else_the_bytes():
    first = parse(raw_email(message_id="<same@example.com>", body="one"))
    again = parse(raw_email(message_id="<same@example.com>", body="two"))
    other_sender = parse(
        raw_email(message_id="<same@example.com>", sender="someone.else@example.com")
    )
    bare_one = parse(raw_email(message_id=None, body="one"))
    bare_two = parse(raw_email(message_id=None, body="two"))

    assert first.dedupe_key == again.dedupe_key
    assert other_sender.dedupe_key != first.dedupe_key
    assert bare_one.dedupe_key != bare_two.dedupe_key
    assert len(first.dedupe_key) == 64


def test_only_useful_headers_are_kept_as_evidence():
    parsed = parse(raw_email(headers={"X-Spam-Score": "1", "Received": "from mx by us"}))

    names = [name for name, _ in parsed.headers]
    assert "Message-ID" in names
    assert "Received" in names
    assert "X-Spam-Score" not in names


def test_the_corpus_is_present():
    assert len(CORPUS) >= 50
    assert len(SAMPLES) >= 9


@pytest.mark.parametrize("path", CORPUS + SAMPLES, ids=lambda path: path.name)
def test_real_world_messages_never_crash_the_parser(path):
    parsed = parse(path.read_bytes())

    assert isinstance(parsed.subject, str)
    assert "\x00" not in parsed.subject
    assert parsed.sender == "" or "@" in parsed.sender
    # Everything stored must be encodable (PostgreSQL refuses lone surrogates).
    for _, value in parsed.headers:
        value.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(raw):
    parsed = parse(raw)

    parsed.subject.encode("utf-8")
    parsed.sender.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Subject", "From", "Auto-Submitted", "Precedence", "Return-Path"]),
            st.text(max_size=80),
        ),
        max_size=6,
    )
)
def test_arbitrary_header_text_never_crashes_the_parser(headers):
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers).encode(
        "utf-8", "surrogateescape"
    )

    parse(raw + b"\r\nbody")
