"""The "remove" pipeline: effect, exactly-once, ordering, confirmation, undo (P5)."""

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, subject_find
from mail.models import InboundMessage, OutboundMessage
from mail.services import inbound_message_process
from mail.tests.factories import raw_email

SAMPLES = Path(__file__).parents[1] / "samples"
BOTH = (Purpose.MARKETING, Purpose.SITE_UPDATES)


def opted_in(email="jobseeker@example.com", **user_fields):
    user = UserFactory(email=email, **user_fields)
    for purpose in BOTH:
        consent_grant(user=user, purpose=purpose, source=Source.SIGNUP)
    return user


def process(raw, **fields):
    return inbound_message_process(raw=raw, source=InboundMessage.Source.FILE, **fields)


def keep_link(message: OutboundMessage) -> str:
    return re.search(r"http\S+/mail/keep-subscribed/\S+/", message.text).group(0)


@pytest.mark.django_db
def test_a_remove_email_withdraws_both_elections_of_the_sender():
    user = opted_in()

    inbound = process(raw_email(sender="Jordan <JobSeeker@Example.com>"))

    assert inbound.outcome == InboundMessage.Outcome.OPTED_OUT
    for purpose in BOTH:
        assert not consent_is_granted(user=user, purpose=purpose)


@pytest.mark.django_db
def test_it_withdraws_for_every_account_with_that_verified_address():
    owner = opted_in("primary@example.com")
    EmailAddress.objects.create(user=owner, email="second@example.com", verified=True)
    unverified = opted_in("other@example.com")
    EmailAddress.objects.create(user=unverified, email="claimed@example.com", verified=False)

    process(raw_email(sender="second@example.com"))
    process(raw_email(sender="claimed@example.com"))

    assert not consent_is_granted(user=owner, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=unverified, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_an_account_address_with_an_international_domain_is_found():
    # allauth keeps the domain as typed; the sender is normalized to its ASCII form.
    owner = opted_in("primary@example.com")
    EmailAddress.objects.create(user=owner, email="juergen@bücher.example", verified=True)

    process(raw_email(sender="Jürgen <juergen@xn--bcher-kva.example>"))

    assert not consent_is_granted(user=owner, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_an_unknown_address_becomes_a_suppression():
    process(raw_email(sender="stranger@example.org"))

    subject = subject_find(email="stranger@example.org")
    assert subject is not None
    assert subject.user is None
    assert set(subject.elections.values_list("purpose", "granted")) == {
        (Purpose.MARKETING, False),
        (Purpose.SITE_UPDATES, False),
    }


@pytest.mark.django_db
def test_the_event_records_source_received_time_and_message_evidence():
    opted_in()
    received = timezone.now() - timedelta(minutes=3)

    inbound = process(raw_email(message_id="<evidence@mail.example.com>"), received_at=received)

    events = ConsentEvent.objects.filter(source=Source.EMAIL)
    assert events.count() == 2
    for event in events:
        assert event.occurred_at == received
        assert event.evidence["message_id"] == "<evidence@mail.example.com>"
        assert event.evidence["inbound_message"] == inbound.pk
        assert event.evidence["received_at"] == received.isoformat()
        assert event.evidence["date_header"]
        # The headers (names, addresses, IPs) are kept on the inbound message only.
        assert "headers" not in event.evidence
        assert "jobseeker@example.com" not in str(event.evidence)
    assert ("Message-ID", "<evidence@mail.example.com>") in inbound.headers


@pytest.mark.django_db
def test_the_senders_date_header_does_not_set_the_occurrence_time():
    opted_in()
    raw = raw_email().replace(b"Date: ", b"Date: Mon, 01 Jan 2001 00:00:00 +0000\nX-Old-Date: ")

    process(raw)

    event = ConsentEvent.objects.filter(source=Source.EMAIL).first()
    assert event.occurred_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_the_same_message_processed_twice_has_one_effect_and_a_duplicate_record():
    opted_in()
    raw = raw_email(message_id="<twice@mail.example.com>")

    first = process(raw)
    second = process(raw)

    assert (first.outcome, second.outcome) == ("opted_out", "duplicate")
    assert ConsentEvent.objects.filter(source=Source.EMAIL).count() == 2  # one per purpose
    assert f"#{first.pk}" in second.reason


@pytest.mark.django_db
def test_two_senders_whose_mail_shares_a_message_id_are_each_opted_out():
    first, second = opted_in("first@example.com"), opted_in("second@example.com")

    outcomes = [
        process(raw_email(sender=user.email, message_id="<reused@mail.example.com>")).outcome
        for user in (first, second)
    ]

    assert outcomes == ["opted_out", "opted_out"]
    for user in (first, second):
        assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_a_remove_recorded_before_keys_named_the_sender_is_still_recognised_when_it_comes_again():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("mail.migrations.0005_dedupe_key_with_sender")
    opted_in()
    raw = raw_email(message_id="<before@mail.example.com>")
    first = process(raw)
    # As the row stood before: keyed by its Message-ID alone.
    InboundMessage.objects.filter(pk=first.pk).update(
        dedupe_key=hashlib.sha256(b"message-id:<before@mail.example.com>").hexdigest()
    )

    migration.with_sender(apps, None)

    again = process(raw)
    assert again.outcome == InboundMessage.Outcome.DUPLICATE
    assert ConsentEvent.objects.filter(source=Source.EMAIL).count() == 2  # one per purpose


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subject", "outcome"), [("Question", "no_match"), ("Automatic reply: remove", "ignored")]
)
def test_mail_that_changes_nothing_processed_twice_is_recorded_as_a_duplicate(subject, outcome):
    raw = raw_email(subject=subject, message_id="<again@mail.example.com>")
    if outcome == "ignored":
        raw = b"Auto-Submitted: auto-replied\n" + raw

    # Inside a transaction of the caller's (the test's): the duplicate spoils nothing.
    outcomes = [process(raw).outcome, process(raw).outcome]

    assert outcomes == [outcome, "duplicate"]
    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_message_without_message_id_is_recognised_again_by_its_bytes():
    opted_in()
    raw = raw_email(message_id=None)

    outcomes = [process(raw).outcome, process(raw).outcome]

    assert outcomes == ["opted_out", "duplicate"]
    assert ConsentEvent.objects.filter(source=Source.EMAIL).count() == 2


@pytest.mark.django_db
def test_a_remove_received_before_a_newer_opt_in_does_not_undo_it():
    user = UserFactory(email="jobseeker@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.PREFERENCES)

    inbound = process(raw_email(), received_at=timezone.now() - timedelta(hours=1))

    assert inbound.outcome == InboundMessage.Outcome.OPTED_OUT
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert inbound.withdrawn == []
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CONFIRMATION).exists()


@pytest.mark.django_db
def test_automatic_mail_and_other_subjects_change_nothing():
    user = opted_in()

    outcomes = [
        process(raw_email(headers={"Auto-Submitted": "auto-replied"})).outcome,
        process(raw_email(subject="Where is my resume?")).outcome,
        process(raw_email(subject="I removed it")).outcome,
    ]

    assert outcomes == ["ignored", "no_match", "no_match"]
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert not ConsentEvent.objects.filter(source=Source.EMAIL).exists()


@pytest.mark.django_db
def test_an_unreadable_message_is_recorded_as_an_error_with_its_reason():
    with mock.patch("mail.services.inbound_parse", side_effect=RecursionError("too deep")):
        inbound = process(b"From: a@example.com\r\nSubject: remove\r\n\r\n")

    assert inbound.outcome == InboundMessage.Outcome.ERROR
    assert "RecursionError: too deep" in inbound.reason


@pytest.mark.django_db
def test_a_message_whose_reading_runs_out_of_time_is_not_recorded_as_unreadable():
    # The IMAP poll leaves it unmarked for the next poll; recorded as an error, it would
    # be marked handled and its "remove" never take effect.
    with (
        mock.patch("mail.services.inbound_parse", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        process(raw_email())

    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_an_error_does_not_block_a_later_successful_run_of_the_same_message():
    opted_in()
    raw = raw_email(message_id="<retry@mail.example.com>")
    with mock.patch("mail.services.inbound_parse", side_effect=ValueError("bug")):
        process(raw)

    assert process(raw).outcome == InboundMessage.Outcome.OPTED_OUT


@pytest.mark.django_db
def test_a_confirmation_is_an_auto_reply_saying_what_was_stopped(
    mailoutbox, django_capture_on_commit_callbacks
):
    opted_in()

    with django_capture_on_commit_callbacks(execute=True):
        process(raw_email(message_id="<ask@mail.example.com>"))

    confirmation = OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION)
    assert confirmation.to == "jobseeker@example.com"
    assert confirmation.headers["Auto-Submitted"] == "auto-replied"
    assert confirmation.headers["In-Reply-To"] == "<ask@mail.example.com>"
    assert "products and services" in confirmation.text
    assert "changes" in confirmation.text
    assert "List-Unsubscribe" not in confirmation.headers
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-replied"


@pytest.mark.django_db
def test_at_most_one_confirmation_a_day_per_address():
    user = opted_in()
    process(raw_email())
    for purpose in BOTH:
        consent_grant(user=user, purpose=purpose, source=Source.PREFERENCES)

    process(raw_email())

    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CONFIRMATION).count() == 1
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_no_confirmation_goes_to_an_address_that_had_nothing_to_stop():
    process(raw_email(sender="stranger@example.org"))

    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CONFIRMATION).exists()


@pytest.mark.django_db
def test_the_undo_link_shows_a_button_and_changes_nothing_on_get(client):
    user = opted_in()
    process(raw_email())
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))

    response = client.get(link)

    assert response.status_code == 200
    assert b"Keep me subscribed" in response.content
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_the_undo_link_regrants_only_what_the_removal_withdrew(client):
    user = UserFactory(email="jobseeker@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    inbound = process(raw_email())
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))

    response = client.post(link)
    client.post(link)

    assert response.status_code == 200
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert not consent_is_granted(user=user, purpose=Purpose.SITE_UPDATES)
    undo = ConsentEvent.objects.get(source=Source.UNDO_LINK)
    assert undo.granted
    assert undo.evidence["undoes_inbound_message"] == inbound.pk
    assert undo.evidence["message_id"] == inbound.message_id


@pytest.mark.django_db
def test_the_undo_link_leaves_alone_what_the_person_stopped_since(client):
    from consent.services import consent_withdraw

    user = opted_in()
    process(raw_email())
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))
    # Later the person stops marketing themselves, on My privacy.
    consent_withdraw(user=user, purpose=Purpose.MARKETING, source=Source.PREFERENCES)

    client.post(link)

    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=user, purpose=Purpose.SITE_UPDATES)


@pytest.mark.django_db
def test_the_undo_link_still_works_after_remove_was_sent_again(client):
    """A second "remove" the same day changes nothing and brings no link of its own:
    the first one's link must still turn the e-mail back on."""
    user = opted_in()
    process(raw_email(subject="remove"))
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))
    again = process(raw_email(subject="REMOVE please!"))
    assert again.outcome == InboundMessage.Outcome.OPTED_OUT
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CONFIRMATION).count() == 1

    response = client.post(link)

    assert "You are subscribed again" in response.text
    for purpose in BOTH:
        assert consent_is_granted(user=user, purpose=purpose)
    assert "This link was used already" in client.post(link).text


@pytest.mark.django_db
def test_the_undo_link_leaves_alone_a_remove_sent_since_from_another_address(client):
    user = opted_in("first@example.com")
    EmailAddress.objects.create(user=user, email="second@example.com", verified=True)
    process(raw_email(sender="first@example.com"))
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))
    process(raw_email(sender="second@example.com"))

    response = client.post(link)

    assert "Nothing to turn back on" in response.text
    for purpose in BOTH:
        assert not consent_is_granted(user=user, purpose=purpose)


@pytest.mark.django_db
def test_a_webhook_envelope_sender_too_long_to_keep_is_cut_not_a_failure():
    from mail.models import InboundDelivery
    from mail.services import inbound_delivery_store

    delivery = inbound_delivery_store(
        raw=raw_email(), received_at=timezone.now(), return_path="x" * 2000 + "@example.com"
    )

    assert len(InboundDelivery.objects.get(pk=delivery.pk).return_path) == 998


@pytest.mark.django_db
def test_an_undo_link_with_everything_chosen_since_says_it_changed_nothing(client):
    from consent.services import consent_withdraw

    user = opted_in()
    process(raw_email())
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))
    for purpose in BOTH:
        consent_withdraw(user=user, purpose=purpose, source=Source.ONE_CLICK)

    response = client.post(link)

    assert "Nothing to turn back on" in response.text
    assert "You are subscribed again" not in response.text
    assert not ConsentEvent.objects.filter(source=Source.UNDO_LINK).exists()
    for purpose in BOTH:
        assert not consent_is_granted(user=user, purpose=purpose)


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["idna", "punycode", "undefined", "utf-7"])
def test_an_odd_charset_in_another_header_does_not_lose_the_remove(charset):
    user = opted_in()
    raw = raw_email(headers={"X-Foo": "x"})
    raw = raw.replace(b"X-Foo: x", b"Received: =?" + charset.encode() + b"?q?=FF=FE?=")

    inbound = process(raw)

    assert inbound.outcome == InboundMessage.Outcome.OPTED_OUT, inbound.reason
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_remove_late_in_a_long_subject_is_found():
    user = opted_in()

    inbound = process(raw_email(subject="x " * 600 + "remove"))

    assert inbound.outcome == InboundMessage.Outcome.OPTED_OUT
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_a_nul_in_an_unusable_from_is_left_out_of_the_recorded_reason():
    raw = raw_email(sender="x@example.com").replace(b"From: x@example.com", b"From: bro\x00ken")

    inbound = process(raw)

    assert inbound.outcome == InboundMessage.Outcome.ERROR
    assert inbound.reason == "no valid address in From: broken"


@pytest.mark.django_db
def test_an_expired_or_forged_undo_link_does_nothing(client, settings):
    user = opted_in()
    process(raw_email())
    link = keep_link(OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION))
    settings.MAIL_UNDO_MAX_AGE_DAYS = 1

    with mock.patch("django.core.signing.time.time", return_value=time.time() + 2 * 86400):
        expired = client.post(link)
    forged = client.post(link[:-3] + "xx/")

    assert expired.status_code == 410
    assert forged.status_code == 404
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_the_command_prints_one_line_per_message_of_the_sample_folder(capsys):
    call_command("seed_demo")
    capsys.readouterr()

    call_command("process_remove_mail", str(SAMPLES))

    assert capsys.readouterr().out.splitlines() == [
        "01-remove-from-jobseeker.eml\topted_out",
        "02-encoded-folded-unsubscribe.eml\topted_out",
        "03-question.eml\tno_match",
        "04-removed-is-not-remove.eml\tno_match",
        "05-auto-reply.eml\tignored",
        "06-delivery-report.eml\tignored",
        "07-same-message-again.eml\tduplicate",
        "08-no-sender.eml\terror",
        "09-garbage-bytes.eml\terror",
    ]
    call_command("consent_status", "jobseeker@example.com")
    status = capsys.readouterr().out.splitlines()
    assert status[0].startswith("marketing: withdrawn since ")
    assert status[0].endswith("(e-mail)")
    assert status[1].startswith("site_updates: withdrawn since ")


@pytest.mark.django_db
def test_the_command_reads_mbox_and_maildir(tmp_path, capsys):
    import mailbox

    box = mailbox.mbox(tmp_path / "inbox.mbox")
    box.add(raw_email(subject="remove"))
    box.add(b"\x00\xff not a message at all")
    box.add(raw_email(subject="hello"))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    key = maildir.add(raw_email(subject="unsubscribe", sender="md@example.com"))

    call_command("process_remove_mail", str(tmp_path / "inbox.mbox"), str(tmp_path / "Maildir"))

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "inbox.mbox:1\topted_out",
        "inbox.mbox:2\tno_match",
        "inbox.mbox:3\tno_match",
        f"{key}\topted_out",
    ]


@pytest.mark.django_db
def test_a_message_that_fails_does_not_stop_the_others_and_fails_the_command(tmp_path, capsys):
    from mail import services

    (tmp_path / "1.eml").write_bytes(raw_email(subject="remove", sender="one@example.com"))
    (tmp_path / "2.eml").write_bytes(raw_email(subject="remove", sender="two@example.com"))
    process = services.inbound_message_process

    def failing_for_the_first(*, raw, **kwargs):
        if b"one@example.com" in raw:
            raise RuntimeError("database said no")
        return process(raw=raw, **kwargs)

    with (
        mock.patch(
            "mail.management.commands.process_remove_mail.inbound_message_process",
            failing_for_the_first,
        ),
        pytest.raises(CommandError, match=r"1 message\(s\) not processed: 1.eml"),
    ):
        call_command("process_remove_mail", str(tmp_path / "1.eml"), str(tmp_path / "2.eml"))

    assert capsys.readouterr().out.splitlines() == ["1.eml\tnot processed", "2.eml\topted_out"]
    assert list(InboundMessage.objects.values_list("from_address", flat=True)) == [
        "two@example.com"
    ]


@pytest.mark.django_db
def test_a_sender_too_long_to_store_is_recorded_as_an_error(tmp_path, capsys):
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example"
    (tmp_path / "long.eml").write_bytes(
        f"From: {long_address}\r\nSubject: remove\r\nMessage-ID: <l@x>\r\n\r\nhi".encode()
    )

    call_command("process_remove_mail", str(tmp_path / "long.eml"))

    assert capsys.readouterr().out.splitlines() == ["long.eml\terror"]
    assert InboundMessage.objects.get().reason.startswith("no valid address in From")


@pytest.mark.django_db
def test_the_command_refuses_a_missing_path_before_processing_anything():
    with pytest.raises(CommandError, match="No such file"):
        call_command("process_remove_mail", str(SAMPLES / "01-remove-from-jobseeker.eml"), "nope")

    assert not InboundMessage.objects.exists()


def mailgun_post(client, raw: bytes, *, key="mailgun-signing-key", auth=True):
    timestamp, token = str(int(time.time())), "t" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    headers = {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"} if auth else {}  # user:pass
    return client.post(
        "/mail/inbound/mailgun/inbound_mime/",
        {
            "body-mime": raw.decode(),
            "timestamp": timestamp,
            "token": token,
            "signature": signature,
            "recipient": "admin@careerperfect.localhost",
            "sender": "jobseeker@example.com",
        },
        **headers,
    )


@pytest.fixture
def webhook_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": "user:pass",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    }


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
def test_the_inbound_webhook_feeds_the_same_pipeline(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    user = opted_in()

    with django_capture_on_commit_callbacks(execute=True):
        response = mailgun_post(client, raw_email(message_id="<hook@mail.example.com>"))

    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.source, inbound.outcome) == ("webhook", "opted_out")
    assert inbound.message_id == "<hook@mail.example.com>"
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
def test_a_webhook_with_a_bad_signature_is_rejected_and_records_nothing(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    user = opted_in()

    with django_capture_on_commit_callbacks(execute=True):
        bad_signature = mailgun_post(client, raw_email(), key="not-the-key")
        no_basic_auth = mailgun_post(client, raw_email(), auth=False)

    assert bad_signature.status_code == 400
    assert no_basic_auth.status_code == 400
    assert not InboundMessage.objects.exists()
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)


def postmark_post(client, payload: dict, *, auth=True):
    headers = {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"} if auth else {}  # user:pass
    return client.post(
        "/mail/inbound/postmark/inbound/",
        json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def postmark_payload(raw: bytes | None, *, return_path="jobseeker@example.com", **fields):
    """Postmark's inbound JSON: the raw message when "include raw content" is on, else
    only its parsed fields; the envelope sender comes first among the headers."""
    payload = {
        "FromFull": {"Email": "jobseeker@example.com", "Name": "Jordan Seeker"},
        "ToFull": [{"Email": "admin@careerperfect.localhost", "Name": ""}],
        "Subject": "remove",
        "MessageID": "postmark-internal-id",
        "Headers": [
            {"Name": "Return-Path", "Value": f"<{return_path}>"},
            {"Name": "Message-ID", "Value": "<pm@mail.example.com>"},
        ],
        "TextBody": "Please stop.",
        **fields,
    }
    if raw is not None:
        payload["RawEmail"] = raw.decode()
    return payload


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
@pytest.mark.parametrize("with_raw", [True, False], ids=["raw message", "parsed fields"])
def test_postmarks_inbound_webhook_feeds_the_same_pipeline(
    client, webhook_settings, django_capture_on_commit_callbacks, with_raw
):
    user = opted_in()
    raw = raw_email(message_id="<pm@mail.example.com>") if with_raw else None

    with django_capture_on_commit_callbacks(execute=True):
        response = postmark_post(client, postmark_payload(raw))

    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.source, inbound.outcome) == ("webhook", "opted_out")
    assert (inbound.from_address, inbound.message_id) == (
        "jobseeker@example.com",
        "<pm@mail.example.com>",
    )
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
def test_a_postmark_bounce_or_unauthenticated_post_changes_nothing(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    user = opted_in()

    with django_capture_on_commit_callbacks(execute=True):
        bounce = postmark_post(client, postmark_payload(raw_email(), return_path=""))
        no_auth = postmark_post(client, postmark_payload(raw_email()), auth=False)

    assert (bounce.status_code, no_auth.status_code) == (200, 400)
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == InboundMessage.Outcome.IGNORED
    assert "empty return path" in inbound.reason
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)


def test_only_configured_inbound_webhooks_are_routed():
    from mail.urls import inbound_webhook_urlpatterns

    assert inbound_webhook_urlpatterns([]) == []
    (included,) = inbound_webhook_urlpatterns(["mailgun"])
    assert [pattern.name for pattern in included.url_patterns] == ["mailgun_inbound_webhook"]


def test_opt_out_tasks_have_a_queue_of_their_own():
    from careerperfect.celery import app

    route = app.amqp.router.route
    assert route({}, "mail.tasks.inbound_delivery_process")["queue"].name == "optouts"
    assert route({}, "mail.tasks.inbound_deliveries_requeue")["queue"].name == "optouts"
    assert route({}, "mail.tasks.imap_mailbox_poll")["queue"].name == "optouts"
    assert route({}, "mail.tasks.campaign_fan_out")["queue"].name == "campaigns"
    assert route({}, "mail.tasks.campaign_deliveries_send")["queue"].name == "campaigns"
    assert {queue.name for queue in app.conf.task_queues} == {"optouts", "default", "campaigns"}


@pytest.mark.redis
@pytest.mark.serial  # Another test's tasks would land in the queues it counts.
@pytest.mark.parametrize("queue", ["optouts", "default", "campaigns"])
def test_a_task_routed_to_a_queue_reaches_that_queue_only(settings, queue):
    import redis

    from careerperfect.celery import app
    from mail.tasks import campaigns_dispatch_due

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    names = [declared.name for declared in app.conf.task_queues]
    before = {name: client.llen(name) for name in names}
    app.conf.task_always_eager = False
    try:
        campaigns_dispatch_due.apply_async(queue=queue)
    finally:
        app.conf.task_always_eager = True

    grown = {name: client.llen(name) - before[name] for name in names}
    client.lpop(queue)  # Published last, so at the head: the oldest are popped from the tail.
    assert grown == {name: int(name == queue) for name in names}


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
def test_a_webhook_remove_whose_processing_fails_is_kept_and_done_by_the_sweep(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    """The e-mail service is told the message arrived: from then on it is ours to keep."""
    from django.db import OperationalError

    from mail.models import InboundDelivery
    from mail.services import inbound_deliveries_requeue
    from mail.tasks import inbound_delivery_process

    user = opted_in()
    with django_capture_on_commit_callbacks() as queued:  # Its task, as a worker gets it.
        response = mailgun_post(client, raw_email(message_id="<kept@mail.example.com>"))
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()

    restarting = OperationalError("the database system is starting up")
    with (
        mock.patch("mail.services.inbound_message_process", side_effect=restarting),
        pytest.raises(OperationalError),
    ):
        inbound_delivery_process.delay(delivery.pk)

    assert len(queued) == 1
    assert not InboundMessage.objects.exists()
    assert InboundDelivery.objects.get() == delivery
    assert delivery.return_path == "jobseeker@example.com"
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_deliveries_requeue() == 0  # Its task may still be on its way.
        assert inbound_deliveries_requeue(now=timezone.now() + timedelta(minutes=3)) == 1

    inbound = InboundMessage.objects.get()
    assert (inbound.source, inbound.outcome) == ("webhook", "opted_out")
    assert inbound.received_at == delivery.received_at
    assert not InboundDelivery.objects.exists()
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.urls("mail.tests.webhook_urls")
@pytest.mark.django_db
def test_a_webhook_remove_arriving_while_the_broker_is_down_is_answered_and_kept(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from mail.models import InboundDelivery

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch("mail.tasks.inbound_delivery_process.apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = mailgun_post(client, raw_email())

    assert response.status_code == 200
    assert InboundDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_webhook_message_unprocessed_for_an_hour_is_reported_on_every_sweep(caplog):
    from mail.models import InboundDelivery
    from mail.services import inbound_deliveries_requeue

    InboundDelivery.objects.create(raw=raw_email(), received_at=timezone.now())

    inbound_deliveries_requeue(now=timezone.now() + timedelta(minutes=59))
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    inbound_deliveries_requeue(now=timezone.now() + timedelta(minutes=61))

    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "1 inbound webhook message(s) still not processed after 1:00:00" in error.message


@pytest.mark.django_db
def test_a_delivery_processed_twice_has_one_effect():
    from mail.models import InboundDelivery
    from mail.services import inbound_delivery_process

    opted_in()
    delivery = InboundDelivery.objects.create(
        raw=raw_email(), received_at=timezone.now(), return_path=None
    )

    first = inbound_delivery_process(delivery_id=delivery.pk)
    again = inbound_delivery_process(delivery_id=delivery.pk)

    assert first.outcome == InboundMessage.Outcome.OPTED_OUT
    assert again is None
    assert InboundMessage.objects.count() == 1


def test_beat_queues_lost_webhook_deliveries_every_minute(settings):
    from mail.tasks import inbound_deliveries_requeue

    entry = settings.CELERY_BEAT_SCHEDULE["inbound-deliveries-requeue"]
    assert entry["task"] == inbound_deliveries_requeue.name
    assert entry["schedule"] == 60.0


@pytest.mark.live_worker(queues="optouts")
@pytest.mark.urls("mail.tests.webhook_urls")
def test_a_real_worker_processes_a_webhook_remove_and_lets_its_delivery_go(
    live_worker, client, webhook_settings
):
    from careerperfect.testing import wait_for
    from mail.models import InboundDelivery

    user = opted_in()

    response = mailgun_post(client, raw_email(message_id="<live@mail.example.com>"))

    assert response.status_code == 200
    wait_for(lambda: InboundMessage.objects.filter(outcome="opted_out").exists())
    wait_for(lambda: not InboundDelivery.objects.exists())
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
