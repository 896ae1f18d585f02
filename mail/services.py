"""Mail: outgoing messages, inbound "remove" requests (P5) and campaigns (P4).

Outgoing e-mail is stored first, then sent by a task after the transaction commits.
Campaign mail is checked against the recipient's current election twice: when its
delivery is handed to the outbound queue, and again just before it is sent.

For other apps (e.g. a notice when a policy version is published):

    campaign = campaign_create(kind=Campaign.Kind.SITE_UPDATES, subject=..., body_markdown=...)
    campaign_schedule(campaign=campaign)                 # now, once the transaction commits
    campaign_schedule(campaign=campaign, send_at=when)   # or later, by the beat schedule
"""

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.policy import default as default_policy
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from careerperfect.queueing import enqueue_on_commit
from consent.models import Subject
from consent.purposes import COMMUNICATION_PURPOSES, ELECTION_TEXT, Source
from consent.selectors import (
    consent_awaiting_confirmation,
    consent_elections,
    consent_granted_subject_ids,
    consent_granted_subjects,
    consent_is_granted,
    consent_still_withdrawn_by_removal,
    subject_holding,
)
from consent.services import (
    consent_confirm,
    consent_grant,
    consent_withdraw,
    consent_withdraw_for_address,
    consent_withdraw_for_own_addresses,
    subject_find,
)
from mail.inbound import ParsedMessage, inbound_parse
from mail.models import (
    CAMPAIGN_PURPOSES,
    Campaign,
    Delivery,
    InboundDelivery,
    InboundMessage,
    OutboundMessage,
)

logger = logging.getLogger(__name__)

# A message claimed this long ago by a worker that never finished is sent again.
CLAIM_EXPIRY = timedelta(minutes=10)
# After a failed try the send task tries again this many times, the first after
# SEND_RETRY_FIRST and each one after twice as long as the one before (30 s, 1, 2, 4 …
# minutes): that rides out a mail service's outage.
SEND_RETRIES = 8
SEND_RETRY_FIRST = timedelta(seconds=30)
# A message tried, and still queued this long after its last try, lost its retry (the
# worker holding it died) or failed in a way the task does not retry: the sweep takes
# it up. Sooner, the sweep would start a second series of retries beside the task's.
SEND_RETRY_LOST_AFTER = SEND_RETRY_FIRST * 2 ** (SEND_RETRIES - 1) + timedelta(minutes=10)
# At most one confirmation of a "remove" e-mail, and one request to confirm an
# address, per address in this period.
CONFIRMATION_INTERVAL = timedelta(days=1)
# Recipients per chunk task of a campaign's fan-out.
FAN_OUT_CHUNK = 1000
# A fan-out or a chunk of deliveries untouched this long lost its task: queue it again.
STALLED_AFTER = timedelta(minutes=30)

# How long the link of an address confirmation e-mail works.
ADDRESS_CONFIRMATION_MAX_AGE = timedelta(days=30)

UNSUBSCRIBE_SALT = "mail.unsubscribe"
KEEP_SUBSCRIBED_SALT = "mail.keep-subscribed"
ADDRESS_CONFIRM_SALT = "mail.address-confirm"
ADDRESS_DIGEST_CHARS = 16
EFFECTIVE_OUTCOMES = (
    InboundMessage.Outcome.OPTED_OUT,
    InboundMessage.Outcome.NO_MATCH,
    InboundMessage.Outcome.IGNORED,
)


# --- Outgoing -------------------------------------------------------------------


def _queue_for(kind: str) -> str:
    # Campaign mail waits behind other campaign mail only, never in front of a
    # receipt, a password reset or a "remove" confirmation.
    return "campaigns" if kind in CAMPAIGN_PURPOSES else "default"


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
        # One line: the mail library refuses a subject with any line break (a name
        # typed with one), so the message would fail at every try and never go.
        subject=" ".join(subject.splitlines()),
        text=text,
        html=html,
        headers=headers or {},
    )
    enqueue_on_commit(outbound_message_send, message.pk, queue=_queue_for(kind))
    return message


def outbound_messages_clear(*, message_ids) -> None:
    """Clear what stored messages said (a person's data leaving with them); one not
    sent yet is not sent at all."""
    messages = OutboundMessage.objects.filter(pk__in=list(message_ids))
    waiting = list(
        messages.filter(status=OutboundMessage.Status.QUEUED).values_list("pk", flat=True)
    )
    OutboundMessage.objects.filter(pk__in=waiting).update(status=OutboundMessage.Status.WITHDRAWN)
    Delivery.objects.filter(outbound_id__in=waiting).update(
        status=Delivery.Status.WITHDRAWN, updated_at=timezone.now()
    )
    messages.update(subject="", text="", html="", headers={})


def outbound_messages_forget() -> int:
    """Clear what messages said once OUTBOUND_MAIL_KEEP_DAYS have passed since they were
    queued; return how many. Only messages done with (sent, failed, not sent) are
    cleared: one still waiting to go keeps what it will say."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOUND_MAIL_KEEP_DAYS)
    return (
        OutboundMessage.objects.filter(
            created_at__lt=cutoff,
            status__in=[
                OutboundMessage.Status.SENT,
                OutboundMessage.Status.FAILED,
                OutboundMessage.Status.WITHDRAWN,
            ],
        )
        .exclude(text="", html="", headers={})
        .update(text="", html="", headers={})
    )


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


class _UnbrokenHeader(UnstructuredHeader):
    """A header folded only where a line would pass the 998 characters RFC 5322
    allows. At the usual 78, a one-click URL or a message ID longer than a line is
    written as RFC 2047 encoded words, which no mail client reads as a link or an ID."""

    def fold(self, *, policy):
        return super().fold(policy=policy.clone(max_line_length=998))


_HEADER_TYPES = HeaderRegistry()
for _name in ("list-unsubscribe", "in-reply-to", "references"):
    _HEADER_TYPES.map_to_type(_name, _UnbrokenHeader)


class _OutboundEmail(EmailMultiAlternatives):
    def message(self, *, policy=default_policy):
        return super().message(policy=policy.clone(header_factory=_HEADER_TYPES))


def _delivery_status_set(message: OutboundMessage, status: Delivery.Status) -> None:
    if message.purpose is not None:
        Delivery.objects.filter(outbound_id=message.pk).update(
            status=status, updated_at=timezone.now()
        )


def email_send(*, message_id: int) -> bool:
    """Send one stored message if no other worker has it; True when it was sent now.

    Campaign mail is sent only if the recipient's election is still granted at this
    moment. Raises the mail service's error so the task can retry; the message then
    stays claimable again at once.
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
    if message.purpose is not None and not consent_is_granted(
        email=message.to, purpose=message.purpose, in_force=True
    ):
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.WITHDRAWN
        )
        _delivery_status_set(message, Delivery.Status.WITHDRAWN)
        return False
    email = _OutboundEmail(
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
    _delivery_status_set(message, Delivery.Status.SENT)
    return True


def email_send_retry_countdown(*, retries: int) -> int:
    """Seconds before the send task's next try, after `retries` retries already."""
    return int(SEND_RETRY_FIRST.total_seconds()) * 2**retries


def outbound_messages_pending(*, older_than: timedelta, kinds=None) -> list[int]:
    """Messages that should have been sent by now: never queued (broker down), tried
    with no retry to come (see SEND_RETRY_LOST_AFTER), or claimed by a worker that died.
    `older_than` is how long a task may wait in its queue, a retry's included."""
    now = timezone.now()
    pending = OutboundMessage.objects.filter(
        Q(status=OutboundMessage.Status.QUEUED, attempts=0, created_at__lt=now - older_than)
        | Q(
            status=OutboundMessage.Status.QUEUED,
            attempts__gt=0,
            attempts__lte=SEND_RETRIES,
            claimed_at__lt=now - SEND_RETRY_LOST_AFTER - older_than,
        )
        | Q(status=OutboundMessage.Status.SENDING, claimed_at__lt=now - CLAIM_EXPIRY)
    )
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return list(pending.values_list("pk", flat=True)[:1000])


def outbound_messages_sweep() -> int:
    """Queue again, each on its own queue, the messages pending too long; return how many.

    Campaign mail may wait in its queue for a long while behind a large campaign, so
    it counts as lost only after much longer than other mail.
    """
    from mail.tasks import outbound_message_send

    outbound_messages_give_up()
    campaign_kinds = list(CAMPAIGN_PURPOSES)
    other_kinds = [kind for kind in OutboundMessage.Kind if kind not in CAMPAIGN_PURPOSES]
    swept = 0
    for kinds, older_than in (
        (other_kinds, timedelta(minutes=2)),
        (campaign_kinds, timedelta(hours=1)),
    ):
        queue = _queue_for(kinds[0])
        for message_id in outbound_messages_pending(older_than=older_than, kinds=kinds):
            outbound_message_send.apply_async(args=[message_id], queue=queue)
            swept += 1
    return swept


def outbound_messages_give_up() -> int:
    """Mark failed the queued messages that have had all their tries (each ended by an
    error the task does not retry, so only the sweep tried them again); return how many."""
    exhausted = list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.QUEUED, attempts__gt=SEND_RETRIES
        ).values_list("pk", flat=True)
    )
    for message_id in exhausted:
        email_mark_failed(message_id=message_id)
    if exhausted:
        logger.error(
            "Gave up on outbound message(s) %s, failing on every try",
            ", ".join(map(str, exhausted)),
        )
    return len(exhausted)


def email_mark_failed(*, message_id: int) -> None:
    OutboundMessage.objects.filter(pk=message_id).exclude(
        status__in=[OutboundMessage.Status.SENT, OutboundMessage.Status.WITHDRAWN]
    ).update(status=OutboundMessage.Status.FAILED)
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is not None and message.status == OutboundMessage.Status.FAILED:
        _delivery_status_set(message, Delivery.Status.FAILED)


# --- Inbound "remove" e-mail (P5) ---------------------------------------------------

# A webhook delivery still kept this long after it came lost its task on the way (the
# broker was down, or lost its queue): inbound_deliveries_requeue, run by beat every
# minute, queues it again.
INBOUND_DELIVERY_LOST_AFTER = timedelta(minutes=2)
# One still kept this long after it came is reported as an error on every sweep.
INBOUND_DELIVERY_STUCK_AFTER = timedelta(hours=1)


def inbound_delivery_store(
    *, raw: bytes, received_at: datetime, return_path: str | None
) -> InboundDelivery:
    """Keep a message the inbound webhook received, and queue its processing. Once
    this returns, the e-mail service may be told it arrived: it is in the database."""
    from mail.tasks import inbound_delivery_process as task

    delivery = InboundDelivery.objects.create(
        raw=raw,
        received_at=received_at,
        return_path=None if return_path is None else return_path[:998],
    )
    enqueue_on_commit(task, delivery.pk)
    return delivery


def inbound_delivery_process(*, delivery_id: int) -> InboundMessage | None:
    """Process a kept webhook delivery and let it go, in one transaction; None when it
    is gone (processed already) or another worker is at it."""
    with transaction.atomic():
        delivery = (
            InboundDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        inbound = inbound_message_process(
            raw=bytes(delivery.raw),
            source=InboundMessage.Source.WEBHOOK,
            received_at=delivery.received_at,
            return_path=delivery.return_path,
        )
        delivery.delete()
    return inbound


def inbound_deliveries_requeue(*, now: datetime | None = None) -> int:
    """Queue again the processing of webhook deliveries whose task was lost."""
    from mail.tasks import inbound_delivery_process as task

    now = now or timezone.now()
    lost = list(
        InboundDelivery.objects.filter(
            received_at__lt=now - INBOUND_DELIVERY_LOST_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in lost:
        # Not piled up while workers are behind: one that waited a minute is dropped,
        # and the next sweep queues it again.
        enqueue_on_commit(task, pk, expires=60)
    stuck = InboundDelivery.objects.filter(received_at__lt=now - INBOUND_DELIVERY_STUCK_AFTER)
    if stuck_count := stuck.count():
        # Retried every minute all that time: no worker runs, or processing fails each
        # time (the worker's log says why). Someone must look.
        logger.error(
            "%d inbound webhook message(s) still not processed after %s",
            stuck_count,
            INBOUND_DELIVERY_STUCK_AFTER,
        )
    return len(lost)


def inbound_message_process(
    *,
    raw: bytes,
    source: InboundMessage.Source,
    received_at: datetime | None = None,
    return_path: str | None = None,
) -> InboundMessage:
    """Process one received e-mail and record what it did; the one pipeline for
    every source (IMAP, webhook, files).

    A "remove" request withdraws marketing and site-update elections of its sender
    address and of every account with it as a verified address, as of received_at
    (when our side received it). The same message processed again has no further
    effect and is recorded as a duplicate.
    """
    received_at = received_at or timezone.now()
    base = {"source": source, "received_at": received_at, "size": len(raw)}
    try:
        parsed = inbound_parse(raw, return_path=return_path)
    except SoftTimeLimitExceeded:
        # Out of time, not unreadable: the caller leaves it to be processed again.
        raise
    except Exception as error:  # Beyond what the tolerant parser copes with: a record.
        logger.exception("Inbound message could not be read")
        return InboundMessage.objects.create(
            **base,
            dedupe_key=hashlib.sha256(raw).hexdigest(),
            outcome=InboundMessage.Outcome.ERROR,
            reason=f"unreadable: {type(error).__name__}: {error}"[:500],
        )
    fields = base | {
        "dedupe_key": parsed.dedupe_key,
        "message_id": parsed.message_id,
        "from_address": parsed.sender,
        "subject": parsed.subject,
        "headers": parsed.headers,
    }
    if parsed.automatic_reason:
        outcome, reason = InboundMessage.Outcome.IGNORED, parsed.automatic_reason
    elif not parsed.asks_removal:
        outcome, reason = InboundMessage.Outcome.NO_MATCH, ""
    elif parsed.sender_problem:
        outcome, reason = InboundMessage.Outcome.ERROR, parsed.sender_problem
    else:
        outcome, reason = InboundMessage.Outcome.OPTED_OUT, ""
    # A record and nothing else is one statement, its own transaction, unless a caller's
    # transaction is open: then it needs a savepoint, so that a duplicate's failed
    # INSERT spoils nothing of the caller's.
    own_transaction = (
        outcome == InboundMessage.Outcome.OPTED_OUT or transaction.get_connection().in_atomic_block
    )
    try:
        with transaction.atomic() if own_transaction else contextlib.nullcontext():
            inbound = InboundMessage.objects.create(**fields, outcome=outcome, reason=reason)
            if outcome == InboundMessage.Outcome.OPTED_OUT:
                _inbound_opt_out(inbound=inbound, parsed=parsed)
    except IntegrityError:
        first = InboundMessage.objects.filter(
            dedupe_key=parsed.dedupe_key, outcome__in=EFFECTIVE_OUTCOMES
        ).first()
        if first is None:
            raise
        inbound = InboundMessage.objects.create(
            **fields,
            outcome=InboundMessage.Outcome.DUPLICATE,
            reason=f"already processed as #{first.pk} ({first.get_outcome_display().lower()})",
        )
    return inbound


def _inbound_opt_out(*, inbound: InboundMessage, parsed: ParsedMessage) -> None:
    evidence = {
        "inbound_message": inbound.pk,
        "message_id": parsed.message_id,
        "date_header": parsed.date_header,
        "received_at": inbound.received_at.isoformat(),
        "received_by": inbound.source,
        # Not the headers (names, addresses, the sender's IP): they stay on the inbound
        # message, which an erasure clears, while the ledger's events are kept.
    }
    recorded = consent_withdraw_for_address(
        email=parsed.sender,
        purposes=COMMUNICATION_PURPOSES,
        source=Source.EMAIL,
        occurred_at=inbound.received_at,
        evidence=evidence,
    )
    # What this message actually stopped: elections that were granted until it came
    # and that it now decides (a newer event, e.g. an opt-in after the e-mail was
    # sent, still decides instead).
    withdrawn = [
        {"email": event.subject.email, "user": event.subject.user_id, "purpose": event.purpose}
        for event in (r.event for r in recorded if r.decides and r.was_granted)
    ]
    if withdrawn:  # Otherwise it stays [], as created.
        inbound.withdrawn = withdrawn
        inbound.save(update_fields=["withdrawn"])
        _removal_confirmation_queue(inbound=inbound)


def _sent_lately(*, to: str, kind: OutboundMessage.Kind) -> bool:
    """Whether a message of this kind went to this address within CONFIRMATION_INTERVAL:
    automatic messages of one kind go to an address at most once in that time."""
    return OutboundMessage.objects.filter(
        to=to, kind=kind, created_at__gte=timezone.now() - CONFIRMATION_INTERVAL
    ).exists()


def _removal_confirmation_queue(*, inbound: InboundMessage) -> OutboundMessage | None:
    # Runs while the consent ledger holds this address's subject row locked, so two
    # concurrent "remove" e-mails from one address cannot both pass this check.
    if _sent_lately(to=inbound.from_address, kind=OutboundMessage.Kind.CONFIRMATION):
        return None
    purposes = sorted({item["purpose"] for item in inbound.withdrawn})
    context = {
        "address": inbound.from_address,
        "stopped": [ELECTION_TEXT[purpose] for purpose in purposes],
        "keep_url": settings.SITE_URL
        + reverse(
            "mail:keep_subscribed",
            args=[signing.dumps(inbound.pk, salt=KEEP_SUBSCRIBED_SALT)],
        ),
        "max_age_days": settings.MAIL_UNDO_MAX_AGE_DAYS,
        "contact_email": settings.CONTACT_EMAIL,
    }
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if inbound.message_id:
        headers |= {"In-Reply-To": inbound.message_id, "References": inbound.message_id}
    return email_queue(
        to=inbound.from_address,
        subject="You will get no more marketing or site-update e-mail from CareerPerfect",
        text=render_to_string("mail/removal_confirmation.txt", context),
        kind=OutboundMessage.Kind.CONFIRMATION,
        headers=headers,
    )


def removal_from_token(*, token: str) -> InboundMessage:
    """The opt-out a "this wasn't me" link is for. Raises signing.BadSignature (or
    its subclass SignatureExpired) or InboundMessage.DoesNotExist."""
    pk = signing.loads(
        token,
        salt=KEEP_SUBSCRIBED_SALT,
        max_age=timedelta(days=settings.MAIL_UNDO_MAX_AGE_DAYS),
    )
    return InboundMessage.objects.get(pk=pk, outcome=InboundMessage.Outcome.OPTED_OUT)


def removal_undo(*, inbound: InboundMessage) -> int | None:
    """Restore the elections an opt-out withdrew, after the recipient clicked "this
    wasn't me"; return how many were restored (0: each was chosen otherwise since),
    None when the link was used already."""
    now = timezone.now()
    restored = 0
    with transaction.atomic():
        claimed = InboundMessage.objects.filter(pk=inbound.pk, undone_at__isnull=True).update(
            undone_at=now
        )
        if not claimed:
            return None
        from accounts.models import User

        evidence = {
            "undoes_inbound_message": inbound.pk,
            "message_id": inbound.message_id,
            "clicked_at": now.isoformat(),
        }
        # What the person chose since (stopped on My privacy, say) stands.
        standing = consent_still_withdrawn_by_removal(
            removed_at=inbound.received_at,
            items=inbound.withdrawn,
            # Sent again from the same address: not a choice the link should respect.
            repeats=InboundMessage.objects.filter(
                from_address=inbound.from_address,
                outcome=InboundMessage.Outcome.OPTED_OUT,
                received_at__gte=inbound.received_at,
            ).values_list("pk", flat=True),
        )
        for item in inbound.withdrawn:
            if not _decided_by_removal(item, standing):
                continue
            user = User.objects.filter(pk=item["user"]).first() if item["user"] else None
            if item["user"] and user is None:
                continue  # That account has been erased since: its suppression stays.
            if user is None and not _address_on_record(item["email"]):
                continue  # The address has been erased since: its suppression stays.
            consent_grant(
                purpose=item["purpose"],
                source=Source.UNDO_LINK,
                user=user,
                email=None if user else item["email"],
                occurred_at=now,
                evidence=evidence,
                # The link came in a message to that address: its owner's own word.
                owner_confirmed=True,
            )
            restored += 1
    return restored


def _decided_by_removal(item: dict, standing: set) -> bool:
    if item["user"]:
        return any(user == item["user"] and p == item["purpose"] for user, _, p in standing)
    return (None, item["email"], item["purpose"]) in standing


def _address_on_record(email: str) -> bool:
    """Whether the ledger still knows this address (not erased since)."""
    if not email:
        return False
    subject = subject_find(email=email)
    return subject is None or subject.email is not None


# --- Address confirmation (P4) --------------------------------------------------


def address_confirmation_request(*, email: str, occasion: str) -> OutboundMessage | None:
    """Ask the owner of an address to confirm the e-mail asked for on a form that does
    not prove who typed the address (a guest's checkout, a contest entry): such grants
    wait (consent.purposes.Awaiting) until the owner follows the link.

    Sends nothing when no grant of that address waits, or when it was asked within
    the last day. occasion completes "when …" in the message ("placing an order").
    """
    subject = subject_find(email=email)
    if subject is None or subject.email is None:
        return None
    waiting = [
        election
        for purpose, election in consent_elections(subject=subject).items()
        if purpose in COMMUNICATION_PURPOSES and election.granted and election.awaiting
    ]
    if not waiting:
        return None
    if _sent_lately(to=subject.email, kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION):
        return None
    # Short enough for a plain-text line: the subject, the start of its address's
    # digest (enough to tell whether the subject has moved since) and when it was asked.
    token = signing.dumps(
        [subject.pk, subject.email_digest[:ADDRESS_DIGEST_CHARS], int(timezone.now().timestamp())],
        salt=ADDRESS_CONFIRM_SALT,
    )
    context = {
        "address": subject.email,
        "occasion": occasion,
        "asked": [ELECTION_TEXT[election.purpose] for election in waiting],
        "confirm_url": settings.SITE_URL + reverse("mail:confirm_address", args=[token]),
        "max_age_days": ADDRESS_CONFIRMATION_MAX_AGE.days,
        "contact_email": settings.CONTACT_EMAIL,
    }
    return email_queue(
        to=subject.email,
        subject="Please confirm you want e-mail from CareerPerfect",
        text=render_to_string("mail/address_confirmation.txt", context),
        kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION,
        headers={"Auto-Submitted": "auto-generated"},
    )


@dataclass(frozen=True)
class AddressConfirmation:
    """What an address confirmation link is for: one address, asked at a moment."""

    subject: Subject
    asked_at: datetime

    def waiting(self) -> list:
        """The grants the owner may confirm: those of the address waiting for it and
        not stopped since they were asked (whoever ticked a box again since)."""
        return consent_awaiting_confirmation(subject=self.subject, since=self.asked_at)

    def confirm(self, *, purposes) -> list:
        """Put in force the grants of these purposes still waiting; return their purposes."""
        return consent_confirm(
            subject_id=self.subject.pk,
            email_digest=self.subject.email_digest,
            purposes=purposes,
            since=self.asked_at,
            by="confirmation link",
        )


def address_confirmation_from_token(
    *, token: str, max_age: timedelta | None = ADDRESS_CONFIRMATION_MAX_AGE
) -> AddressConfirmation:
    """What an address confirmation link is for, while its subject still has the
    address the link was sent to. Raises signing.BadSignature (or its subclass
    SignatureExpired, when older than max_age) or Subject.DoesNotExist."""
    subject_id, digest_start, asked_at = signing.loads(
        token, salt=ADDRESS_CONFIRM_SALT, max_age=max_age
    )
    # Or the account's subject it was merged into, while that has the address (one
    # row, however many other subjects were merged into it).
    subject = Subject.objects.get(
        Q(pk=subject_id) | Q(pk__in=Subject.objects.filter(pk=subject_id).values("merged_into")),
        email_digest__startswith=digest_start,
        email__isnull=False,
    )
    return AddressConfirmation(subject=subject, asked_at=datetime.fromtimestamp(asked_at, UTC))


# --- Campaigns (P4) -------------------------------------------------------------


def campaign_create(
    *,
    kind: Campaign.Kind,
    subject: str,
    body_markdown: str,
    created_by=None,
    send_at: datetime | None = None,
) -> Campaign:
    """A draft campaign. Nothing is sent until campaign_schedule() is called."""
    return Campaign.objects.create(
        kind=kind,
        subject=subject,
        body_markdown=body_markdown,
        created_by=created_by,
        send_at=send_at,
    )


def campaign_schedule(*, campaign: Campaign, send_at: datetime | None = None) -> Campaign:
    """Send a draft campaign at send_at (or its own send_at; now when neither is set
    or the moment has passed). Deliveries are queued after the transaction commits
    when it is due, else by the beat schedule when the time comes."""
    from mail.tasks import campaigns_dispatch_due

    when = send_at or campaign.send_at or timezone.now()
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
        status=Campaign.Status.SCHEDULED, send_at=when
    )
    if not updated:
        raise ValueError(f"Campaign #{campaign.pk} is not a draft any more.")
    campaign.refresh_from_db()
    if when <= timezone.now():
        # Should the broker be unreachable, beat's next dispatch starts it.
        enqueue_on_commit(campaigns_dispatch_due)
    return campaign


def campaign_unschedule(*, campaign: Campaign) -> Campaign:
    """Take a scheduled campaign back to a draft, while its time has not come: once
    due, the dispatch may be sending it already."""
    updated = Campaign.objects.filter(
        pk=campaign.pk, status=Campaign.Status.SCHEDULED, send_at__gt=timezone.now()
    ).update(status=Campaign.Status.DRAFT)
    if not updated:
        raise ValueError(f"Campaign #{campaign.pk} is being sent or sent: it cannot be taken back.")
    campaign.refresh_from_db()
    return campaign


def campaigns_dispatch_due() -> list[int]:
    """Start the fan-out of every scheduled campaign whose time has come, and resume
    work whose task was lost (broker outage); return the campaigns started."""
    from mail.tasks import campaign_fan_out

    started = []
    due = Campaign.objects.filter(
        status=Campaign.Status.SCHEDULED, send_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for pk in due:
        # Conditional: two overlapping dispatches start each campaign once.
        if Campaign.objects.filter(pk=pk, status=Campaign.Status.SCHEDULED).update(
            status=Campaign.Status.FANNING_OUT, fan_out_started_at=timezone.now()
        ):
            enqueue_on_commit(campaign_fan_out, pk)
            started.append(pk)
    campaigns_resume_stalled()
    return started


def campaigns_resume_stalled(*, after: timedelta = STALLED_AFTER) -> int:
    """Queue again the fan-outs and chunks that made no progress for a long time;
    both are idempotent, so a slow one run twice only costs time. Returns tasks queued."""
    from mail.tasks import campaign_deliveries_send, campaign_fan_out

    cutoff = timezone.now() - after
    queued = 0
    stalled_fan_outs = Campaign.objects.filter(
        status=Campaign.Status.FANNING_OUT, fan_out_started_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in stalled_fan_outs:
        Campaign.objects.filter(pk=pk).update(fan_out_started_at=timezone.now())
        enqueue_on_commit(campaign_fan_out, pk)
        queued += 1
    stalled = (
        Delivery.objects.filter(status=Delivery.Status.QUEUED, updated_at__lt=cutoff)
        .order_by("campaign_id", "subject_id_at_queue")
        .values_list("campaign_id", "subject_id_at_queue")
    )
    chunk: list[tuple[int, int]] = []
    for campaign_id, subject_id in stalled.iterator(chunk_size=FAN_OUT_CHUNK):
        if chunk and (len(chunk) >= FAN_OUT_CHUNK or chunk[0][0] != campaign_id):
            enqueue_on_commit(campaign_deliveries_send, chunk[0][0], chunk[0][1], chunk[-1][1])
            queued += 1
            chunk = []
        chunk.append((campaign_id, subject_id))
    if chunk:
        enqueue_on_commit(campaign_deliveries_send, chunk[0][0], chunk[0][1], chunk[-1][1])
        queued += 1
    return queued


def campaign_fan_out(*, campaign_id: int, chunk_size: int = FAN_OUT_CHUNK) -> int:
    """Queue one delivery per address whose election is granted now (and one per
    person: see flush), and a task per chunk to send them; return how many recipients
    were streamed.

    Streams the recipients from the database, so memory stays flat however long the
    list. Running it again (a worker died mid-way) creates no second delivery.
    """
    from mail.tasks import campaign_deliveries_send

    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != Campaign.Status.FANNING_OUT:
        return 0
    streamed = 0
    chunk: list[tuple[int, str]] = []

    def flush():
        # A subject an earlier or a concurrent run queued keeps its delivery, at the
        # address it had then: the database skips the row (one_delivery_per_subject),
        # so a person who moved since is not queued again at the new one.
        Delivery.objects.bulk_create(
            [
                Delivery(campaign_id=campaign_id, subject_id_at_queue=subject_id, email=email)
                for subject_id, email in chunk
            ],
            ignore_conflicts=True,
        )
        enqueue_on_commit(campaign_deliveries_send, campaign_id, chunk[0][0], chunk[-1][0])
        chunk.clear()

    recipients = consent_granted_subjects(purpose=campaign.purpose)
    for subject_id, email in recipients.iterator(chunk_size=chunk_size):
        chunk.append((subject_id, email))
        streamed += 1
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
    Campaign.objects.filter(pk=campaign_id).update(
        status=Campaign.Status.QUEUED, fan_out_finished_at=timezone.now()
    )
    return streamed


def campaign_message_context(*, campaign: Campaign, to: str, unsubscribe_url: str) -> dict:
    from privacy.rendering import markdown_to_html

    return {
        "campaign": campaign,
        # Markdown rendered, then sanitized by nh3: staff cannot put scripts in mail.
        "body_html": markdown_to_html(campaign.body_markdown),
        "to": to,
        "reason": ELECTION_TEXT[campaign.purpose],
        "unsubscribe_url": unsubscribe_url,
        "contact_email": parseaddr(settings.CONTACT_EMAIL)[1],
        "privacy_url": settings.SITE_URL + reverse("accounts:privacy"),
    }


def campaign_message_render(*, campaign: Campaign, to: str, unsubscribe_url: str) -> dict:
    """The subject, text, HTML and headers of a campaign message to one recipient."""
    context = campaign_message_context(campaign=campaign, to=to, unsubscribe_url=unsubscribe_url)
    contact = context["contact_email"]
    list_domain = contact.rpartition("@")[2] or "careerperfect.localhost"
    return {
        "subject": campaign.subject,
        "text": render_to_string("mail/campaign_message.txt", context),
        "html": render_to_string("mail/campaign_message.html", context),
        "headers": {
            "List-Unsubscribe": f"<mailto:{contact}?subject=remove>, <{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"CareerPerfect {campaign.get_kind_display().lower()} "
            f"<{campaign.kind.replace('_', '-')}.{list_domain}>",
        },
    }


def delivery_unsubscribe_url(*, delivery_id: int) -> str:
    token = signing.dumps(delivery_id, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("mail:unsubscribe", args=[token])


def campaign_deliveries_send(*, campaign_id: int, subject_from: int, subject_to: int) -> int:
    """Hand the still-queued deliveries of one chunk to the outbound queue, each only
    if its address's election is granted now; return how many were handed over."""
    campaign = Campaign.objects.get(pk=campaign_id)
    handed = 0
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.select_for_update(skip_locked=True).filter(
                campaign_id=campaign_id,
                status=Delivery.Status.QUEUED,
                subject_id_at_queue__range=(subject_from, subject_to),
            )
        )
        granted = consent_granted_subject_ids(
            purpose=campaign.purpose,
            subject_ids=[d.subject_id_at_queue for d in deliveries],
            in_force=True,
        )
        now = timezone.now()
        for delivery in deliveries:
            delivery.updated_at = now
            if delivery.subject_id_at_queue not in granted:
                delivery.status = Delivery.Status.WITHDRAWN
                continue
            rendered = campaign_message_render(
                campaign=campaign,
                to=delivery.email,
                unsubscribe_url=delivery_unsubscribe_url(delivery_id=delivery.pk),
            )
            delivery.outbound = email_queue(
                to=delivery.email, kind=campaign.message_kind, **rendered
            )
            delivery.status = Delivery.Status.HANDED_OVER
            handed += 1
        Delivery.objects.bulk_update(deliveries, ["status", "outbound", "updated_at"])
    return handed


def campaign_test_send(*, campaign: Campaign, staff) -> OutboundMessage:
    """Send the campaign to the staff member who asked, marked as a test."""
    rendered = campaign_message_render(
        campaign=campaign,
        to=staff.email,
        unsubscribe_url=settings.SITE_URL + reverse("mail:unsubscribe", args=["test"]),
    )
    rendered["subject"] = f"[Test] {rendered['subject']}"
    return email_queue(to=staff.email, kind=OutboundMessage.Kind.CAMPAIGN_TEST, **rendered)


def campaigns_with_counts():
    """Campaigns annotated with their deliveries by state, newest first (the admin's
    pages of them, its autocomplete's included, need an order to page through)."""
    return Campaign.objects.order_by("-pk").annotate(
        queued_count=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[Delivery.Status.QUEUED, Delivery.Status.HANDED_OVER]),
        ),
        sent_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
        withdrawn_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.WITHDRAWN)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
    )


def delivery_from_token(*, token: str) -> Delivery:
    """The delivery a one-click unsubscribe link is for. Raises signing.BadSignature
    or Delivery.DoesNotExist. The link does not expire: old mail must keep working."""
    pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return Delivery.objects.select_related("campaign").get(pk=pk)


def delivery_unsubscribe(*, delivery: Delivery) -> bool:
    """Withdraw the campaign's election for the delivery's address (and the accounts
    verified with it), and for the person it was sent to even if their address has
    changed since (and their other addresses); False when neither was granted anyway."""
    purpose = delivery.campaign.purpose
    holder = subject_holding(subject_id=delivery.subject_id_at_queue)
    by_address = consent_is_granted(email=delivery.email, purpose=purpose)
    by_person = holder is not None and bool(
        consent_granted_subject_ids(purpose=purpose, subject_ids=[holder.pk])
    )
    if not (by_address or by_person):
        return False
    evidence = {"delivery": delivery.pk, "campaign": delivery.campaign_id}
    with transaction.atomic():
        withdrawn = set()
        if by_address:
            recorded = consent_withdraw_for_address(
                email=delivery.email, purposes=[purpose], source=Source.ONE_CLICK, evidence=evidence
            )
            withdrawn = {record.event.subject_id for record in recorded}
        # Unless that was the same person, who is now withdrawn already.
        if by_person and holder.pk not in withdrawn:
            consent_withdraw(
                purpose=purpose,
                source=Source.ONE_CLICK,
                user=holder.user,
                email=None if holder.user else holder.email,
                evidence=evidence,
            )
            if holder.user:
                # As a stop by address covers the account's other addresses.
                consent_withdraw_for_own_addresses(
                    user=holder.user, purposes=[purpose], source=Source.ONE_CLICK, evidence=evidence
                )
    return True
