import contextlib
import hashlib
import hmac

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from careerperfect.append_only import AppendOnlyModel
from consent.purposes import Awaiting, Purpose, Source


def email_normalize(email: str) -> str:
    """The canonical form under which an address is one consent subject.

    Addresses are compared case-insensitively as a whole (as every mail provider our
    users have does in practice), with surrounding space removed and the domain in
    its ASCII form by IDNA 2008 (UTS #46, non-transitional): straße.de stays a domain of
    its own, not strasse.de as the older IDNA 2003 would have it.
    """
    email = email.strip()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or not domain:
        raise ValueError(f"Not an e-mail address: {email!r}")
    if not domain.isascii():  # An ASCII domain needs no more than lower case.
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except UnicodeError:  # Refused by IDNA 2008 (i❤.ws): as mail goes there, by 2003.
            with contextlib.suppress(UnicodeError):
                domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


# What every table keeps of an address: the most SMTP carries (RFC 5321).
ADDRESS_MAX_LENGTH = 254


def validate_address_length(value: str) -> None:
    """Refuse an address that would not fit once normalized: an international domain
    grows when written in ASCII, the form in which it is stored and mailed to."""
    try:
        length = len(email_normalize(value))
    except ValueError:
        return  # Not an address at all: the e-mail validator says so.
    if length > ADDRESS_MAX_LENGTH:
        raise ValidationError(
            "This address is too long: written the way mail systems need it, it has "
            "%(length)d characters, and an e-mail address can have at most %(limit)d.",
            code="too_long",
            params={"length": length, "limit": ADDRESS_MAX_LENGTH},
        )


def email_digest(email: str) -> str:
    """A keyed hash of the normalized address: lets an erased address stay suppressed."""
    return hmac.new(
        settings.CONSENT_DIGEST_KEY.encode(), email_normalize(email).encode(), hashlib.sha256
    ).hexdigest()


class Subject(models.Model):
    """Whoever consent is recorded for: one normalized e-mail address, maybe a user."""

    # Null once the person's data has been erased; the digest keeps "remove" in force.
    email = models.EmailField(unique=True, null=True, blank=True)
    # Null only once merged into another subject, which now answers for the address.
    email_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_subject",
    )
    # Set when this address turned out to be an account's (it became the account's
    # address): its history stays here, its current elections went to that subject.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        if self.merged_into_id:
            return f"subject merged into #{self.merged_into_id}"
        return self.email or f"erased subject {self.email_digest[:12]}"


class ConsentEvent(AppendOnlyModel):
    """One grant or withdrawal, exactly as it happened. Never changed or deleted."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="events")
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=20, choices=Source.choices)
    policy_version = models.ForeignKey(
        "privacy.PolicyVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # When it happened on the person's side (a click, our receipt of an e-mail);
    # the later occurrence decides the current election.
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # The ledger is append-only: a staff account that changed someone's elections
        # is deactivated, never deleted (which would rewrite the events it made).
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the change when it was not the subject (e.g. staff).",
    )
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["subject", "purpose", "occurred_at"])]

    def __str__(self):
        verb = "granted" if self.granted else "withdrew"
        return f"{self.subject} {verb} {self.purpose} ({self.source})"


class Election(models.Model):
    """The current state of one subject and purpose, derived from its latest event."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="elections")
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    granted = models.BooleanField()
    occurred_at = models.DateTimeField()
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")
    # A grant of an e-mail purpose made on a form that does not prove the address is
    # the person's (a guest's checkout, a contest entry, a signup not yet verified)
    # sends nothing until its owner confirms; campaigns pass it by meanwhile.
    awaiting = models.CharField(max_length=20, choices=Awaiting.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "purpose"], name="one_election_per_purpose")
        ]
        indexes = [models.Index(fields=["purpose", "granted"])]

    def __str__(self):
        return f"{self.subject}: {self.purpose} {'granted' if self.granted else 'withdrawn'}"
