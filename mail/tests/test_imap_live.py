"""The IMAP poller on a real IMAP server, a real Celery worker, Redis and PostgreSQL.

CI starts dovecot (.ci/dovecot/start) and sets TEST_IMAP_URL; elsewhere these skip.
"""

import imaplib
import os
import time
from datetime import timedelta
from unittest import mock

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from careerperfect import testing
from careerperfect.testing import wait_for
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, subject_find
from mail.imap import PROCESSED_KEYWORD, imap_config_parse, imap_connect
from mail.imap import imap_mailbox_poll as imap_poll
from mail.models import InboundMessage
from mail.tasks import imap_mailbox_poll
from mail.tests.factories import raw_email

IMAP_URL = os.environ.get("TEST_IMAP_URL", "")
# The worker polls the test mailbox. A task taken by a worker that dies is handed out
# again after 2 seconds instead of an hour, so the SIGKILL test need not wait long.
pytestmark = [
    pytest.mark.imap,
    pytest.mark.live_worker(
        queues="optouts,default", env={"IMAP_URL": IMAP_URL, "CELERY_VISIBILITY_TIMEOUT": "2"}
    ),
]


@pytest.fixture
def mailbox():
    """The test user's INBOX, emptied; yields a connected, selected IMAP client."""
    with imap_connect(imap_config_parse(IMAP_URL)) as imap:
        imap.select("INBOX")
        imap.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
        imap.expunge()
        yield imap


def append(imap, raw: bytes) -> None:
    status, _ = imap.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)
    assert status == "OK"


def flags_by_subject(imap) -> dict[str, set[str]]:
    imap.noop()
    status, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert status == "OK"
    result = {}
    for part in data:
        if isinstance(part, tuple):
            flags = imaplib.ParseFlags(part[0])
            subject = part[1].decode().split(":", 1)[1].strip()
            result[subject] = {flag.decode() for flag in flags} - {r"\Recent"}
    return result


def opted_in(email):
    # Before the messages arrive: an IMAP internal date has whole seconds only.
    earlier = timezone.now() - timedelta(minutes=5)
    for purpose in (Purpose.MARKETING, Purpose.SITE_UPDATES):
        consent_grant(email=email, purpose=purpose, source=Source.SIGNUP, occurred_at=earlier)


def test_the_poller_processes_the_mailbox_and_flags_each_message_after_commit(live_worker, mailbox):
    opted_in("seeker@example.com")
    append(
        mailbox, raw_email(sender="seeker@example.com", subject="Re: remove", message_id="<a@x>")
    )
    append(mailbox, raw_email(sender="asker@example.com", subject="A question", message_id="<b@x>"))
    append(
        mailbox,
        raw_email(
            sender="away@example.com",
            subject="Out of office: remove",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    append(
        mailbox, raw_email(sender="seeker@example.com", subject="remove again", message_id="<a@x>")
    )

    imap_mailbox_poll.delay()

    wait_for(lambda: InboundMessage.objects.count() == 4)
    outcomes = dict(InboundMessage.objects.values_list("subject", "outcome"))
    assert outcomes == {
        "Re: remove": "opted_out",
        "A question": "no_match",
        "Out of office: remove": "ignored",
        "remove again": "duplicate",
    }
    assert InboundMessage.objects.get(outcome="opted_out").source == "imap"
    assert not consent_is_granted(email="seeker@example.com", purpose=Purpose.MARKETING)
    # Handled removals are read; what people should read stays unread.
    flags = flags_by_subject(mailbox)
    assert flags["Re: remove"] == {PROCESSED_KEYWORD, r"\Seen"}
    assert flags["remove again"] == {PROCESSED_KEYWORD, r"\Seen"}
    assert flags["A question"] == {PROCESSED_KEYWORD}
    assert flags["Out of office: remove"] == {PROCESSED_KEYWORD}

    imap_mailbox_poll.delay()
    append(mailbox, raw_email(sender="later@example.com", subject="unsubscribe"))
    imap_mailbox_poll.delay()

    wait_for(lambda: InboundMessage.objects.filter(from_address="later@example.com").exists())
    assert InboundMessage.objects.count() == 5, "nothing already flagged is processed again"


def test_the_imap_internal_date_is_the_occurrence_time(live_worker, mailbox):
    opted_in("dated@example.com")
    status, _ = mailbox.append(
        "INBOX",
        None,
        imaplib.Time2Internaldate(time.time() - 120),
        raw_email(sender="dated@example.com"),
    )
    assert status == "OK"

    imap_mailbox_poll.delay()

    inbound = wait_for(lambda: InboundMessage.objects.first())
    event = ConsentEvent.objects.filter(source=Source.EMAIL).first()
    assert abs(time.time() - 120 - inbound.received_at.timestamp()) < 5
    assert event.occurred_at == inbound.received_at


def waiting_on_a_lock(database: str) -> bool:
    with psycopg.connect(
        testing.test_database_url().replace(f"/{database}", "/postgres")
    ) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [database],
        ).fetchone()
    return row[0] > 0


def test_a_worker_killed_mid_processing_leaves_the_message_to_be_processed_again(
    live_worker, mailbox
):
    opted_in("killed@example.com")
    subject = subject_find(email="killed@example.com")
    append(mailbox, raw_email(sender="killed@example.com", message_id="<kill@x>"))
    database = testing.test_database_url().rsplit("/", 1)[1]

    # Hold the consent subject's row lock: the worker's opt-out transaction stops
    # there, after it has recorded the inbound message but before it commits.
    blocker = psycopg.connect(testing.test_database_url())
    blocker.execute("SELECT id FROM consent_subject WHERE id = %s FOR UPDATE", [subject.pk])
    imap_mailbox_poll.delay()
    wait_for(lambda: waiting_on_a_lock(database))
    live_worker.stop(kill=True)
    killed_at = time.monotonic()
    blocker.rollback()
    blocker.close()

    assert not InboundMessage.objects.exists()
    assert ConsentEvent.objects.filter(source=Source.EMAIL).count() == 0
    assert flags_by_subject(mailbox)["remove"] == set(), "not flagged: the work never committed"

    # The poll the dead worker had taken is handed to the next worker (acks_late).
    time.sleep(max(0.0, 3 - (time.monotonic() - killed_at)))
    live_worker.start()

    wait_for(lambda: InboundMessage.objects.filter(outcome="opted_out").exists())
    assert InboundMessage.objects.count() == 1
    events = ConsentEvent.objects.filter(source=Source.EMAIL)
    assert sorted(events.values_list("purpose", flat=True)) == ["marketing", "site_updates"]
    assert {event.evidence["message_id"] for event in events} == {"<kill@x>"}
    wait_for(lambda: flags_by_subject(mailbox)["remove"] == {PROCESSED_KEYWORD, r"\Seen"})


@pytest.mark.django_db
def test_a_poll_out_of_time_stops_instead_of_running_on_to_the_hard_limit(mailbox):
    for n in (1, 2):
        append(mailbox, raw_email(sender=f"late{n}@example.com", subject=f"remove {n}"))

    with (
        mock.patch(
            "mail.services.inbound_message_process", side_effect=SoftTimeLimitExceeded()
        ) as process,
        pytest.raises(SoftTimeLimitExceeded),
    ):
        imap_poll(url=IMAP_URL)

    assert process.call_count == 1
    # Neither is marked: the next poll takes both up.
    assert flags_by_subject(mailbox) == {"remove 1": set(), "remove 2": set()}
