from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consent.purposes import Purpose


class OutboundMessage(models.Model):
    """An e-mail we send, stored before it is handed to the mail service so that a
    crash or an outage of that service loses nothing: the task retries it."""

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", "Transactional (account, orders)"
        CONFIRMATION = "confirmation", "Confirmation of a “remove” e-mail"
        ADDRESS_CONFIRMATION = "address_confirm", "Request to confirm an address"
        MARKETING = "marketing", "Campaign: marketing"
        SITE_UPDATES = "site_updates", "Campaign: site updates"
        CAMPAIGN_TEST = "campaign_test", "Campaign test sent to a staff member"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        WITHDRAWN = "withdrawn", "Not sent: election withdrawn"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    to = models.EmailField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["to", "kind", "created_at"]),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def purpose(self) -> Purpose | None:
        """The election this message needs at send time; None for mail that needs none."""
        return CAMPAIGN_PURPOSES.get(self.kind)


# Campaign mail is sent only while the recipient's election for its purpose is granted.
CAMPAIGN_PURPOSES = {
    OutboundMessage.Kind.MARKETING: Purpose.MARKETING,
    OutboundMessage.Kind.SITE_UPDATES: Purpose.SITE_UPDATES,
}


class InboundMessage(models.Model):
    """One e-mail received at the contact address and what processing it did (P5)."""

    class Source(models.TextChoices):
        IMAP = "imap", "IMAP mailbox"
        WEBHOOK = "webhook", "Inbound webhook"
        FILE = "file", "File (process_remove_mail)"

    class Outcome(models.TextChoices):
        OPTED_OUT = "opted_out", "Opted out"
        NO_MATCH = "no_match", "No matching subject"
        IGNORED = "ignored", "Ignored (automatic mail)"
        DUPLICATE = "duplicate", "Duplicate"
        ERROR = "error", "Error"

    source = models.CharField(max_length=10, choices=Source.choices)
    # Message-ID with sender, else the bytes, hashed: one effect per key, whatever the
    # retries (see inbound.dedupe_key_for).
    dedupe_key = models.CharField(max_length=64)
    message_id = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=998, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    headers = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0)
    # When our side received it: IMAP internal date, webhook time, or processing time.
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(auto_now_add=True)
    # The (subject id, purpose) elections that were granted and this message withdrew:
    # what the "this wasn't me" link may restore, and nothing more.
    withdrawn = models.JSONField(default=list, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The first effective processing of a message claims its key; a second one
            # fails on this constraint and is recorded as a duplicate instead.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(outcome__in=["opted_out", "no_match", "ignored"]),
                name="one_effect_per_inbound_message",
            )
        ]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self):
        return f"{self.from_address or '?'}: {self.subject[:60]} ({self.outcome})"


class InboundDelivery(models.Model):
    """A message the inbound webhook received, kept until it is processed: the e-mail
    service was told it arrived, so it must not live only in the broker's queue. Its
    row goes in the transaction that records what processing did."""

    raw = models.BinaryField()
    received_at = models.DateTimeField()
    # The envelope sender when the service reports it ("" for a bounce), else None:
    # unknown and empty differ.
    return_path = models.CharField(max_length=998, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self):
        return f"Inbound delivery of {self.received_at:%Y-%m-%d %H:%M:%S}"


def validate_one_line(value: str) -> None:
    """A mail header is one line: a line break in it would make every send fail."""
    if "\n" in value or "\r" in value:
        raise ValidationError("Write it on one line: it may not contain a line break.")


class Campaign(models.Model):
    """A marketing or site-update mailing, written by staff, sent to those who opted in."""

    class Kind(models.TextChoices):
        MARKETING = "marketing", "Marketing"
        SITE_UPDATES = "site_updates", "Site updates"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        FANNING_OUT = "fanning_out", "Queueing deliveries"
        QUEUED = "queued", "Deliveries queued"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200, validators=[validate_one_line])
    body_markdown = models.TextField(
        help_text="Markdown. Links and simple formatting only; anything else is removed."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(
        null=True, blank=True, help_text="When to send. Leave empty to send when you press Send."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fan_out_started_at = models.DateTimeField(null=True, blank=True)
    fan_out_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_campaign", "Can send or schedule a campaign")]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self):
        return self.subject

    @property
    def purpose(self) -> Purpose:
        return Purpose(self.kind)

    @property
    def can_be_taken_back(self) -> bool:
        """Scheduled and not yet due (mail.services.campaign_unschedule)."""
        return self.status == self.Status.SCHEDULED and self.send_at > timezone.now()

    @property
    def message_kind(self) -> OutboundMessage.Kind:
        return OutboundMessage.Kind(self.kind)


class Delivery(models.Model):
    """One campaign to one person, at one address. Unique on both, so re-running a
    fan-out never sends twice: not to an address, nor to a person who moved since."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        HANDED_OVER = "handed_over", "Handed to the outbound queue"
        SENT = "sent", "Sent"
        WITHDRAWN = "withdrawn", "Skipped: election withdrawn"
        FAILED = "failed", "Failed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    # The consent subject whose granted election put this address on the list.
    subject_id_at_queue = models.BigIntegerField()
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    outbound = models.OneToOneField(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "subject_id_at_queue"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="one_delivery_per_address"),
            models.UniqueConstraint(
                fields=["campaign", "subject_id_at_queue"], name="one_delivery_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "subject_id_at_queue"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.email}"
