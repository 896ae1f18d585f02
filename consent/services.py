"""The consent ledger's public surface. Every app records and asks consent here.

Nothing else writes ConsentEvent, Election or Subject rows.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from consent.models import ConsentEvent, Election, Subject, email_digest, email_normalize
from consent.purposes import COMMUNICATION_PURPOSES, Purpose, Source


def subject_get_or_create(*, email: str | None = None, user=None) -> Subject:
    """The subject for a user (linked by their address) or for a bare address."""
    if user is not None:
        subject = Subject.objects.filter(user=user).first()
        if subject is not None:
            return subject
        email = user.email
    if not email:
        raise ValueError("A consent subject needs an e-mail address or a user.")
    digest = email_digest(email)
    subject, _ = Subject.objects.get_or_create(
        email_digest=digest, defaults={"email": email_normalize(email)}
    )
    changed = []
    if subject.email is None:
        # An erased address given to us again: its suppression and history stay, and
        # we know the address once more.
        subject.email = email_normalize(email)
        changed.append("email")
    if user is not None and subject.user_id is None:
        # An address that had consent on record (a guest order, a "remove" e-mail)
        # before it became an account: its history now belongs to that account.
        subject.user = user
        changed.append("user")
    if changed:
        subject.save(update_fields=changed)
    return subject


def subject_find(*, email: str | None = None, user=None) -> Subject | None:
    if user is not None:
        return Subject.objects.filter(user=user).first()
    return Subject.objects.filter(email_digest=email_digest(email)).first()


def _record(
    *,
    subject: Subject,
    purpose: Purpose,
    granted: bool,
    source: Source,
    occurred_at: datetime | None,
    actor,
    evidence: dict | None,
) -> ConsentEvent:
    from privacy.selectors import policy_version_in_force

    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        # Serialize changes per subject, so that two concurrent events cannot both
        # believe they are the newest.
        Subject.objects.select_for_update().filter(pk=subject.pk).first()
        event = ConsentEvent.objects.create(
            subject=subject,
            purpose=purpose,
            granted=granted,
            source=source,
            policy_version=policy_version_in_force(at=occurred_at),
            occurred_at=occurred_at,
            actor=actor,
            evidence=evidence or {},
        )
        election = Election.objects.filter(subject=subject, purpose=purpose).first()
        if election is None:
            Election.objects.create(
                subject=subject,
                purpose=purpose,
                granted=granted,
                occurred_at=occurred_at,
                event=event,
            )
        elif occurred_at >= election.occurred_at:
            election.granted = granted
            election.occurred_at = occurred_at
            election.event = event
            election.save(update_fields=["granted", "occurred_at", "event"])
        # An event older than the current state is kept as history but changes
        # nothing: a delayed "remove" cannot undo a newer opt-in, nor the reverse.
    return event


def consent_grant(
    *,
    purpose: Purpose,
    source: Source,
    email: str | None = None,
    user=None,
    occurred_at: datetime | None = None,
    actor=None,
    evidence: dict | None = None,
) -> ConsentEvent:
    subject = subject_get_or_create(email=email, user=user)
    return _record(
        subject=subject,
        purpose=purpose,
        granted=True,
        source=source,
        occurred_at=occurred_at,
        actor=actor,
        evidence=evidence,
    )


def consent_withdraw(
    *,
    purpose: Purpose,
    source: Source,
    email: str | None = None,
    user=None,
    occurred_at: datetime | None = None,
    actor=None,
    evidence: dict | None = None,
) -> ConsentEvent:
    subject = subject_get_or_create(email=email, user=user)
    return _record(
        subject=subject,
        purpose=purpose,
        granted=False,
        source=source,
        occurred_at=occurred_at,
        actor=actor,
        evidence=evidence,
    )


def consent_withdraw_for_address(
    *,
    email: str,
    purposes: Iterable[Purpose],
    source: Source,
    occurred_at: datetime | None = None,
    evidence: dict | None = None,
) -> list[ConsentEvent]:
    """Withdraw for an address and for every account having it as a verified address.

    An address nobody has an account for still gets a subject with withdrawn
    elections: a suppression that keeps it out of every later campaign.
    """
    from allauth.account.models import EmailAddress

    normalized = email_normalize(email)
    subjects = {subject_get_or_create(email=normalized)}
    verified_users = EmailAddress.objects.filter(
        email__iexact=normalized, verified=True
    ).select_related("user")
    for address in verified_users:
        subjects.add(subject_get_or_create(user=address.user))
    events = []
    with transaction.atomic():
        for subject in sorted(subjects, key=lambda s: s.pk):
            for purpose in purposes:
                events.append(
                    _record(
                        subject=subject,
                        purpose=purpose,
                        granted=False,
                        source=source,
                        occurred_at=occurred_at,
                        actor=None,
                        evidence=evidence,
                    )
                )
    return events


def subject_erase(*, subject: Subject) -> None:
    """Forget a subject's address and account, keeping a suppression in their place.

    Marketing and site updates are withdrawn first (unless already withdrawn), so the
    keyed digest that stays behind keeps the address out of every later campaign and
    lets a later "remove" find it. The history stays too: it is the ledger's proof.
    """
    with transaction.atomic():
        current = {e.purpose: e.granted for e in Election.objects.filter(subject=subject)}
        for purpose in COMMUNICATION_PURPOSES:
            if current.get(purpose, True):
                _record(
                    subject=subject,
                    purpose=purpose,
                    granted=False,
                    source=Source.ACCOUNT_DELETION,
                    occurred_at=None,
                    actor=None,
                    evidence=None,
                )
        Subject.objects.filter(pk=subject.pk).update(email=None, user=None)
