import email.policy
import smtplib
from unittest import mock

import pytest

from mail.models import OutboundMessage
from mail.services import email_queue, email_send
from mail.tasks import outbound_message_send


def queue_one(**overrides):
    fields = {
        "to": "person@example.com",
        "subject": "Hello",
        "text": "Plain",
        "html": "<p>Rich</p>",
    }
    return email_queue(**(fields | overrides))


@pytest.mark.django_db
def test_a_queued_message_is_sent_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_one(headers={"Auto-Submitted": "auto-generated"})

    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["person@example.com"]
    assert sent.alternatives[0].content == "<p>Rich</p>"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.sent_at is not None


@pytest.mark.django_db
def test_a_reply_names_a_long_message_id_as_it_is(mailoutbox):
    # As Outlook writes them: longer than a folded header line.
    replied_to = "<AM0PR04MB6849C2F3B2D0C4A5F4F0D3E1A3D29B@AM0PR04MB6849.eurprd04.prod.outlook.com>"
    message = queue_one(headers={"In-Reply-To": replied_to, "References": replied_to})

    email_send(message_id=message.pk)
    raw = mailoutbox[0].message(policy=email.policy.SMTP).as_bytes().decode()

    assert f"In-Reply-To: {replied_to}\r\n" in raw
    assert f"References: {replied_to}\r\n" in raw


@pytest.mark.django_db
def test_nothing_is_sent_if_the_transaction_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_one()

    assert len(callbacks) == 1
    assert mailoutbox == []


@pytest.mark.django_db
def test_sending_twice_sends_once(mailoutbox):
    message = queue_one()

    assert email_send(message_id=message.pk) is True
    assert email_send(message_id=message.pk) is False
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_failed_send_keeps_the_message_for_a_retry(mailoutbox):
    message = queue_one()

    with (
        mock.patch(
            "mail.services.EmailMultiAlternatives.send",
            side_effect=smtplib.SMTPServerDisconnected("gone"),
        ),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        email_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert "gone" in message.error
    assert email_send(message_id=message.pk) is True
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_task_gives_up_after_bounded_retries_and_marks_failed():
    message = queue_one()

    with (
        mock.patch(
            "mail.services.EmailMultiAlternatives.send",
            side_effect=smtplib.SMTPConnectError(421, "busy"),
        ),
        mock.patch.object(outbound_message_send, "retry", side_effect=AssertionError("no retry")),
    ):
        outbound_message_send.apply(args=[message.pk], retries=8)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED


@pytest.mark.live_worker
def test_a_real_worker_sends_a_queued_message(live_worker):
    from careerperfect.testing import wait_for

    message = queue_one(subject="Delivered by the worker")

    wait_for(
        lambda: OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.SENT
    )
    files = list((live_worker.var_dir / "mail").iterdir())
    assert len(files) == 1
    assert "Delivered by the worker" in files[0].read_text()


@pytest.mark.django_db
def test_a_message_queued_while_the_broker_is_down_is_kept_and_swept_later(
    django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from mail.tasks import outbound_messages_sweep

    with (
        mock.patch.object(
            outbound_message_send, "apply_async", side_effect=OperationalError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = queue_one()
    assert mailoutbox == []
    assert OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.QUEUED

    outbound_messages_sweep.apply()
    assert mailoutbox == [], "too recent: it may still be on its way"

    OutboundMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    outbound_messages_sweep.apply()
    assert len(mailoutbox) == 1
    assert OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.SENT


def _failed_once(message, error):
    with (
        mock.patch("mail.services.EmailMultiAlternatives.send", side_effect=error),
        pytest.raises(type(error)),
    ):
        email_send(message_id=message.pk)


@pytest.mark.django_db
def test_the_sweep_leaves_a_failed_message_to_its_own_retries_until_they_are_lost():
    from datetime import timedelta

    from django.utils import timezone

    from mail.services import SEND_RETRY_LOST_AFTER, outbound_messages_sweep

    message = queue_one()
    _failed_once(message, smtplib.SMTPServerDisconnected("gone"))
    # The mail service has been down for half an hour; the task's retry is on its way.
    OutboundMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=30),
        claimed_at=timezone.now() - timedelta(minutes=15),
    )

    with mock.patch.object(outbound_message_send, "apply_async") as send:
        outbound_messages_sweep()
        assert not send.called, "a second series of retries beside the task's own"

        OutboundMessage.objects.filter(pk=message.pk).update(
            claimed_at=timezone.now() - SEND_RETRY_LOST_AFTER - timedelta(minutes=3)
        )
        outbound_messages_sweep()

    assert [call.kwargs["args"] for call in send.call_args_list] == [[message.pk]]


@pytest.mark.django_db
def test_a_campaign_messages_retry_may_wait_behind_its_campaign_before_the_sweep_takes_it():
    from datetime import timedelta

    from django.utils import timezone

    from mail.services import SEND_RETRY_LOST_AFTER, outbound_messages_sweep

    message = queue_one(kind=OutboundMessage.Kind.MARKETING)
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=1)

    def swept_after(waited: timedelta) -> bool:
        OutboundMessage.objects.filter(pk=message.pk).update(
            claimed_at=timezone.now() - SEND_RETRY_LOST_AFTER - waited
        )
        with mock.patch.object(outbound_message_send, "apply_async") as send:
            outbound_messages_sweep()
        return send.called

    assert not swept_after(timedelta(minutes=30))
    assert swept_after(timedelta(minutes=61))


@pytest.mark.django_db
def test_a_message_failing_on_every_try_is_marked_failed_by_the_sweep_not_tried_for_ever(caplog):
    from datetime import timedelta

    from django.utils import timezone

    from mail.services import SEND_RETRIES, SEND_RETRY_LOST_AFTER, outbound_messages_sweep

    message = queue_one()
    # An error the task does not retry (a header the mail library refuses, say): each
    # try ends the task, and only the sweep ever tries it again.
    for _ in range(SEND_RETRIES + 1):
        _failed_once(message, ValueError("Header values may not contain linefeed"))
        OutboundMessage.objects.filter(pk=message.pk).update(
            created_at=timezone.now() - timedelta(days=1),
            claimed_at=timezone.now() - SEND_RETRY_LOST_AFTER - timedelta(minutes=1),
        )

    with mock.patch.object(outbound_message_send, "apply_async") as send:
        outbound_messages_sweep()

    assert not send.called
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert "linefeed" in message.error
    assert "failing on every try" in caplog.text


@pytest.mark.django_db
def test_what_a_message_said_is_cleared_once_it_is_old_enough_and_done_with(settings):
    from datetime import timedelta

    from django.utils import timezone

    from mail.services import outbound_messages_forget
    from mail.tasks import outbound_messages_forget as forget_task

    settings.OUTBOUND_MAIL_KEEP_DAYS = 30
    status = OutboundMessage.Status
    old = timezone.now() - timedelta(days=31)
    messages = {
        name: queue_one(text=f"Your link: https://example.com/{name}/", headers={"X-Id": name})
        for name in ("old sent", "old failed", "old withdrawn", "old queued", "new sent")
    }
    for name, message in messages.items():
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=status.QUEUED if "queued" in name else getattr(status, name.split()[1].upper()),
            created_at=old if name.startswith("old") else timezone.now() - timedelta(days=29),
        )

    assert outbound_messages_forget() == 3
    assert forget_task() == 0  # Nothing more: what is cleared stays cleared.

    for name, message in messages.items():
        message.refresh_from_db()
        kept = name in ("old queued", "new sent")
        assert (message.text != "", message.html != "", message.headers != {}) == (kept,) * 3
        assert (message.to, message.subject) == ("person@example.com", "Hello"), name


def test_beat_clears_old_message_contents_every_hour():
    from django.conf import settings

    from mail.tasks import outbound_messages_forget

    entry = settings.CELERY_BEAT_SCHEDULE["outbound-messages-forget"]

    assert entry["task"] == outbound_messages_forget.name
    assert entry["schedule"] == 3600
