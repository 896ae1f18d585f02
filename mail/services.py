"""Outgoing e-mail: stored first, then sent by a task after the transaction commits."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone

from careerperfect.queueing import enqueue_on_commit
from mail.models import OutboundMessage

logger = logging.getLogger(__name__)

# A message claimed this long ago by a worker that never finished is sent again.
CLAIM_EXPIRY = timedelta(minutes=10)


def email_queue(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: dict | None = None,
    from_email: str | None = None,
    kind: OutboundMessage.Kind = OutboundMessage.Kind.TRANSACTIONAL,
) -> OutboundMessage:
    """Store a message and send it once the surrounding transaction commits."""
    from mail.tasks import outbound_message_send

    message = OutboundMessage.objects.create(
        kind=kind,
        to=to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        text=text,
        html=html,
        headers=headers or {},
    )
    enqueue_on_commit(outbound_message_send, message.pk)
    return message


def email_queue_from(message: EmailMultiAlternatives) -> list[OutboundMessage]:
    """Queue a rendered Django message, one stored message per recipient."""
    html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    return [
        email_queue(
            to=recipient,
            subject=message.subject,
            text=message.body,
            html=html,
            headers=dict(message.extra_headers),
            from_email=message.from_email,
        )
        for recipient in message.to
    ]


def email_send(*, message_id: int) -> bool:
    """Send one stored message if no other worker has it; True when it was sent now.

    Raises the mail service's error so the task can retry; the message then stays
    claimable again at once.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        Q(status=OutboundMessage.Status.QUEUED)
        | Q(status=OutboundMessage.Status.SENDING, claimed_at__lt=now - CLAIM_EXPIRY),
        pk=message_id,
    ).update(status=OutboundMessage.Status.SENDING, claimed_at=now)
    if not claimed:
        return False  # Sent already, or another worker is sending it.
    message = OutboundMessage.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=message.from_email,
        to=[message.to],
        headers=message.headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except Exception as error:
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.QUEUED,
            attempts=message.attempts + 1,
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    OutboundMessage.objects.filter(pk=message_id).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1
    )
    return True


def outbound_messages_pending(*, older_than: timedelta) -> list[int]:
    """Messages that should have been sent by now: never queued (broker down), or
    claimed by a worker that died."""
    cutoff = timezone.now() - older_than
    return list(
        OutboundMessage.objects.filter(
            Q(status=OutboundMessage.Status.QUEUED, created_at__lt=cutoff)
            | Q(status=OutboundMessage.Status.SENDING, claimed_at__lt=timezone.now() - CLAIM_EXPIRY)
        ).values_list("pk", flat=True)[:1000]
    )


def email_mark_failed(*, message_id: int) -> None:
    OutboundMessage.objects.filter(pk=message_id).exclude(
        status=OutboundMessage.Status.SENT
    ).update(status=OutboundMessage.Status.FAILED)
