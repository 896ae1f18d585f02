"""The consent ledger's public surface. Every app records and asks consent here.

Nothing else writes ConsentEvent, Election or Subject rows.
"""

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import idna
from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from consent.models import ConsentEvent, Election, Subject, email_digest, email_normalize
from consent.purposes import AWAITING_ORDER, COMMUNICATION_PURPOSES, Awaiting, Purpose, Source

logger = logging.getLogger(__name__)


def subject_get_or_create(*, email: str | None = None, user=None) -> Subject:
    """The subject for a user (linked by their address) or for a bare address."""
    if user is not None:
        by_user, _ = subjects_get_or_create(users=[user])
        return by_user[user.pk]
    if not email:
        raise ValueError("A consent subject needs an e-mail address or a user.")
    _, by_email = subjects_get_or_create(emails=[email])
    return by_email[email]


def subjects_get_or_create(
    *, users: Iterable = (), emails: Iterable[str] = ()
) -> tuple[dict[int, Subject], dict[str, Subject]]:
    """The subjects of many users and bare addresses, as subject_get_or_create finds
    or creates each, in a fixed number of queries however many there are: (by user
    pk, by address as given).

    Two workers creating the same address's subject at once end with one subject,
    which both return.
    """
    accounts = {user.pk: user for user in users}
    addresses = list(emails)
    by_user = {s.user_id: s for s in Subject.objects.filter(user_id__in=list(accounts))}
    unlinked = [user for pk, user in accounts.items() if pk not in by_user]
    if not all(addresses) or not all(user.email for user in unlinked):
        raise ValueError("A consent subject needs an e-mail address.")
    digests = {
        address: email_digest(address) for address in [*addresses, *(u.email for u in unlinked)]
    }
    normalized = {digests[address]: email_normalize(address) for address in digests}
    by_digest = {
        subject.email_digest: subject
        for subject in Subject.objects.filter(email_digest__in=list(normalized))
    }
    if missing := normalized.keys() - by_digest.keys():
        # One created by another worker meanwhile is left as it is and read back. In
        # one order, so that two workers creating overlapping subjects cannot deadlock.
        Subject.objects.bulk_create(
            [Subject(email=normalized[digest], email_digest=digest) for digest in sorted(missing)],
            ignore_conflicts=True,
        )
        by_digest |= {
            subject.email_digest: subject
            for subject in Subject.objects.filter(email_digest__in=missing)
        }
    if erased := [subject for subject in by_digest.values() if subject.email is None]:
        # An erased address given to us again: its suppression and history stay, and
        # we know the address once more.
        for subject in erased:
            subject.email = normalized[subject.email_digest]
        Subject.objects.bulk_update(erased, ["email"])
    linked = []
    for user in unlinked:
        subject = by_user[user.pk] = by_digest[digests[user.email]]
        if subject.user_id is None:
            # An address that had consent on record (a guest order, a "remove" e-mail)
            # before it became an account: its history now belongs to that account.
            subject.user = user
            linked.append(subject)
    if linked:
        Subject.objects.bulk_update(linked, ["user"])
    return by_user, {address: by_digest[digests[address]] for address in addresses}


def subject_find(*, email: str | None = None, user=None) -> Subject | None:
    if user is not None:
        return Subject.objects.filter(user=user).first()
    return Subject.objects.filter(email_digest=email_digest(email)).first()


@dataclass(frozen=True)
class Recorded:
    """One event written to the ledger, and what it did to the current election."""

    event: ConsentEvent
    decides: bool  # it is now the current election (no newer event overrides it)
    was_granted: bool  # the election it found in place was granted


def _subjects_lock(condition: Q) -> list[Subject]:
    """Lock the subjects matching condition until the transaction ends, and return them.

    Serializes changes per subject, so that two concurrent events cannot both believe
    they are the newest; locks are taken in pk order, so two changes to overlapping
    subjects cannot deadlock.
    """
    return list(Subject.objects.select_for_update().filter(condition).order_by("pk"))


def _record(
    *,
    subjects: Iterable[Subject],
    purposes: Iterable[Purpose],
    granted: bool,
    source: Source,
    occurred_at: datetime | None,
    actor,
    evidence: dict | None,
    locked: bool = False,
    awaiting: Awaiting = Awaiting.NOTHING,
) -> list[Recorded]:
    """Write one event per subject and purpose, and bring the elections up to date.

    locked: the caller holds the subjects' locks already, taken in this transaction
    with _subjects_lock.
    awaiting: what a grant waits for before it is in force. Granted again, a grant
    keeps the lesser of its wait and the new one: one in force stays in force
    (whoever types an address in cannot pause it), one waiting for the account's
    verified address does not start waiting for a link instead.
    """
    from privacy.selectors import policy_versions_in_force

    occurred_at = occurred_at or timezone.now()
    subjects = sorted(subjects, key=lambda subject: subject.pk)
    purposes = list(purposes)
    # No savepoint of its own: a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        if not locked:
            held = _subjects_lock(Q(pk__in=[subject.pk for subject in subjects]))
            if any(subject.merged_into_id for subject in held):
                # Merged into an account's while this was on its way: the event goes
                # where that address's consent now lives.
                subjects = _subjects_lock(
                    Q(pk__in={subject.merged_into_id or subject.pk for subject in held})
                )
        # Read in a statement of its own, begun after the locks are held: one that
        # had to wait for a lock would otherwise see what was current before the wait.
        current = {
            (subject_id, purpose): (pk, was_granted, at, was_awaiting)
            for pk, subject_id, purpose, was_granted, at, was_awaiting in Election.objects.filter(
                subject__in=subjects, purpose__in=purposes
            ).values_list("pk", "subject_id", "purpose", "granted", "occurred_at", "awaiting")
        }
        version_id = policy_versions_in_force(at=occurred_at).values_list("pk", flat=True).first()
        events = ConsentEvent.objects.bulk_create(
            ConsentEvent(
                subject=subject,
                purpose=purpose,
                granted=granted,
                source=source,
                policy_version_id=version_id,
                occurred_at=occurred_at,
                actor=actor,
                evidence=evidence or {},
            )
            for subject in subjects
            for purpose in purposes
        )
        awaits = awaiting if granted else Awaiting.NOTHING
        recorded, created, changed = [], [], []
        for event in events:
            election = current.get((event.subject_id, event.purpose))
            if election is None:
                created.append(
                    Election(
                        subject=event.subject,
                        purpose=event.purpose,
                        granted=granted,
                        occurred_at=occurred_at,
                        event=event,
                        awaiting=awaits,
                    )
                )
                recorded.append(Recorded(event=event, decides=True, was_granted=False))
                continue
            pk, was_granted, at, was_awaiting = election
            decides = occurred_at >= at
            # An event older than the current state is kept as history but changes
            # nothing: a delayed "remove" cannot undo a newer opt-in, nor the reverse.
            recorded.append(Recorded(event=event, decides=decides, was_granted=was_granted))
            if decides:
                waits = (
                    min(awaits, was_awaiting, key=AWAITING_ORDER.index) if was_granted else awaits
                )
                changed.append((pk, event, waits))
        if created:
            Election.objects.bulk_create(created)
        if changed:
            # One UPDATE for all: each election gets its own event (and, if they differ,
            # its own wait), the rest is common.
            kinds = {waits for _, _, waits in changed}
            Election.objects.filter(pk__in=[pk for pk, _, _ in changed]).update(
                granted=granted,
                occurred_at=occurred_at,
                event_id=Case(*(When(pk=pk, then=Value(event.pk)) for pk, event, _ in changed)),
                awaiting=kinds.pop()
                if len(kinds) == 1
                else Case(
                    *(When(pk=pk, then=Value(waits)) for pk, _, waits in changed),
                    output_field=CharField(),
                ),
            )
    return recorded


def consent_grant(
    *,
    purpose: Purpose,
    source: Source,
    email: str | None = None,
    user=None,
    occurred_at: datetime | None = None,
    actor=None,
    evidence: dict | None = None,
    owner_confirmed: bool = False,
) -> ConsentEvent:
    """Record a grant. One of an e-mail purpose is in force only once the owner of the
    address has shown it is theirs: given through user=, once the account's address is
    verified; given through email= (a form anyone can type any address into), once
    the owner follows the link we e-mail them, unless owner_confirmed (the grant
    itself came through a link e-mailed to that address)."""
    subject = subject_get_or_create(email=email, user=user)
    with transaction.atomic():
        # Decided under the subject's lock: the account's address cannot change
        # between reading whether it is verified and recording the grant.
        subject = _subject_lock_current(subject)
        awaiting = Awaiting.NOTHING
        if purpose in COMMUNICATION_PURPOSES:
            if user is not None:
                if not _account_address_verified(user, subject.email):
                    awaiting = Awaiting.ACCOUNT_ADDRESS
            elif not owner_confirmed:
                awaiting = Awaiting.OWNER
        return _record(
            subjects=[subject],
            purposes=[purpose],
            granted=True,
            source=source,
            occurred_at=occurred_at,
            actor=actor,
            evidence=evidence,
            locked=True,
            awaiting=awaiting,
        )[0].event


def _subject_lock_current(subject: Subject) -> Subject:
    """Lock the subject now answering for this one's address (itself, or the account's
    subject it was merged into while on its way) and return it as locked."""
    held = _subjects_lock(Q(pk=subject.pk))[0]
    if held.merged_into_id is None:
        return held
    return _subjects_lock(Q(pk=held.merged_into_id))[0]


def _account_address_verified(user, normalized: str) -> bool:
    """Whether the account has verified this (normalized) address. Compared in their
    normalized forms: allauth keeps an international domain as typed."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return any(email_normalize(address) == normalized for address in verified)


def consent_confirm(
    *, subject_id: int, email_digest: str, purposes: Iterable[Purpose], since: datetime, by: str
) -> list[Purpose]:
    """The owner of a subject's address confirmed the grants of these purposes that
    await it: each one still waiting, and not withdrawn since the owner was asked
    (since), is put in force by an event of its own, the ledger's proof of the
    confirmation. email_digest: the address the owner was asked at; nothing is
    confirmed if the subject has moved to another since. Returns the purposes put in
    force."""
    from consent.selectors import consent_awaiting_confirmation

    confirmed = []
    with transaction.atomic():
        subjects = _subjects_lock(Q(pk=subject_id, email_digest=email_digest))
        if not subjects:
            return []
        wanted = set(purposes)
        for election in consent_awaiting_confirmation(subject=subjects[0], since=since):
            if election.purpose not in wanted:
                continue
            _record(
                subjects=subjects,
                purposes=[Purpose(election.purpose)],
                granted=True,
                source=Source.CONFIRMED,
                occurred_at=None,
                actor=None,
                evidence={"confirms_event": election.event_id, "by": by},
                locked=True,
            )
            confirmed.append(Purpose(election.purpose))
    return confirmed


def consent_account_address_settle(*, user) -> None:
    """Bring the account's own grants of e-mail purposes in line with its address:
    those that waited for it to be verified are put in force once it is (confirmed
    as by consent_confirm); those in force wait again while it is not (an address
    typed in by staff)."""
    with transaction.atomic():
        held = _subjects_lock(Q(user=user))
        if not held or held[0].email is None:
            return
        subject = held[0]
        grants = Election.objects.filter(
            subject=subject, purpose__in=COMMUNICATION_PURPOSES, granted=True
        )
        if not _account_address_verified(user, subject.email):
            grants.filter(awaiting=Awaiting.NOTHING).update(awaiting=Awaiting.ACCOUNT_ADDRESS)
            return
        waiting = [
            Purpose(p)
            for p in grants.filter(awaiting=Awaiting.ACCOUNT_ADDRESS).values_list(
                "purpose", flat=True
            )
        ]
        if waiting:
            consent_confirm(
                subject_id=subject.pk,
                email_digest=subject.email_digest,
                purposes=waiting,
                since=timezone.now(),
                by="account address verified",
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
        subjects=[subject],
        purposes=[purpose],
        granted=False,
        source=source,
        occurred_at=occurred_at,
        actor=actor,
        evidence=evidence,
    )[0].event


def _stored_forms(normalized: str) -> set[str]:
    """The forms allauth may hold a normalized address in: lower case, as here, but
    with an international domain as typed (Unicode), not in its ASCII form."""
    local, _, domain = normalized.rpartition("@")
    forms = {normalized}
    if "xn--" in domain:
        with contextlib.suppress(UnicodeError):
            forms.add(f"{local}@{idna.decode(domain)}".lower())
        with contextlib.suppress(UnicodeError):  # A domain only IDNA 2003 allows.
            forms.add(f"{local}@{domain.encode().decode('idna')}".lower())
    return forms


def consent_withdraw_for_own_addresses(
    *,
    user,
    purposes: Iterable[Purpose],
    source: Source,
    actor=None,
    occurred_at: datetime | None = None,
    evidence: dict | None = None,
) -> list[Recorded]:
    """Withdraw where it is still granted for the person's other addresses: verified
    addresses of their account that have consent on record of their own (a guest
    order placed with one before it was added). A "stop" on My privacy covers them,
    and so does a "remove" e-mail from any address of the account."""
    from consent.selectors import subjects_for_user

    purposes = list(purposes)
    with transaction.atomic():
        subject_ids = [
            subject.pk
            for subject in subjects_for_user(user=user)
            if subject.user_id is None and subject.merged_into_id is None
        ]
        recorded = []
        for purpose in purposes:
            granted = Subject.objects.filter(
                pk__in=subject_ids, elections__purpose=purpose, elections__granted=True
            )
            if granted:
                recorded += _record(
                    subjects=granted,
                    purposes=[purpose],
                    granted=False,
                    source=source,
                    occurred_at=occurred_at,
                    actor=actor,
                    evidence=evidence,
                )
        return recorded


def consent_withdraw_for_address(
    *,
    email: str,
    purposes: Iterable[Purpose],
    source: Source,
    occurred_at: datetime | None = None,
    evidence: dict | None = None,
) -> list[Recorded]:
    """Withdraw for an address and for every account having it as a verified address,
    with that account's other addresses that have consent of their own.

    An address nobody has an account for still gets a subject with withdrawn
    elections: a suppression that keeps it out of every later campaign.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    purposes = list(purposes)
    normalized = email_normalize(email)
    digest = email_digest(normalized)
    forms = _stored_forms(normalized)
    # In one statement: the accounts with this verified address, and their other
    # verified addresses (most have none), which may hold consent of their own.
    addresses = list(
        EmailAddress.objects.filter(
            user_id__in=EmailAddress.objects.filter(email__in=forms, verified=True).values(
                "user_id"
            ),
            verified=True,
        ).values_list("user_id", "email")
    )
    user_ids = {user_id for user_id, _ in addresses}
    with_others = {user_id for user_id, address in addresses if address not in forms}
    arguments = {
        "purposes": purposes,
        "granted": False,
        "source": source,
        "occurred_at": occurred_at,
        "actor": None,
        "evidence": evidence,
    }
    with transaction.atomic(savepoint=False):
        # Usually every subject exists already: one statement finds and locks them all.
        subjects = _subjects_lock(Q(email_digest=digest) | Q(user_id__in=user_ids))
        complete = any(
            subject.email_digest == digest and subject.email for subject in subjects
        ) and user_ids <= {subject.user_id for subject in subjects}
        if complete:
            recorded = _record(subjects=subjects, locked=True, **arguments)
        else:
            # A new suppression, an erased address given again, or an account without
            # a subject yet: create or complete them, then lock. (Rare; should two such
            # requests deadlock, PostgreSQL fails one, and its message is processed
            # again.)
            subjects = {subject_get_or_create(email=normalized)}
            for user in get_user_model().objects.filter(pk__in=user_ids):
                subjects.add(subject_get_or_create(user=user))
            recorded = _record(subjects=subjects, **arguments)
        for user in get_user_model().objects.filter(pk__in=with_others) if with_others else []:
            recorded += consent_withdraw_for_own_addresses(
                user=user,
                purposes=purposes,
                source=source,
                occurred_at=occurred_at,
                evidence=evidence,
            )
        return recorded


def subject_address_follow(*, user) -> None:
    """Keep an account's subject on the account's address when that address changes.

    The person's consent follows them: their elections and history stay on their
    subject, which now answers for the new address, so campaigns go there. The old
    address keeps nothing of theirs (whoever uses it next starts with no consent).
    When the new address had consent on record of its own (a guest order, a "remove"
    e-mail) and the person has confirmed the address is theirs, that subject is merged
    in: each of its elections newer than the account's is carried over, the later
    occurrence deciding as always, and its history stays with it, shown as the
    person's. An unconfirmed address (staff typing one in the admin) is never merged:
    the subject then stays where it is until the address is confirmed. Grants of the
    account's own wait again while its new address is not verified.
    """
    new_email = email_normalize(user.email)
    new_digest = email_digest(new_email)
    # Most saves of an account change something else: one read, and nothing to do.
    digest = Subject.objects.filter(user=user).values_list("email_digest", flat=True).first()
    if digest is None or digest == new_digest:
        return
    with transaction.atomic():
        subjects = _subjects_lock(Q(user=user) | Q(email_digest=new_digest))
        subject = next((s for s in subjects if s.user_id == user.pk), None)
        if subject is None or subject.email_digest == new_digest:
            return
        other = next((s for s in subjects if s.pk != subject.pk), None)
        if other is not None and other.user_id is not None:
            # Left on an address its account no longer has (an address changed before
            # subjects followed them): that account's subject moves on first.
            owner = other.user
            if email_digest(owner.email) == new_digest:
                logger.error("%s is the consent subject of account %s", new_email, owner.pk)
                return
            subject_address_follow(user=owner)
            other = Subject.objects.select_for_update().filter(email_digest=new_digest).first()
        if other is not None:
            if not _account_address_verified(user, new_email):
                logger.warning(
                    "Account %s's address is not confirmed and has consent of its own on "
                    "record: its subject stays on its former address for now",
                    user.pk,
                )
                return
            _subject_merge(source=other, into=subject)
        Subject.objects.filter(pk=subject.pk).update(email=new_email, email_digest=new_digest)
        consent_account_address_settle(user=user)


def _subject_merge(*, source: Subject, into: Subject) -> None:
    """Merge a subject into another (both locked by the caller)."""
    ours = {e.purpose: e for e in Election.objects.filter(subject=into)}
    for theirs in Election.objects.filter(subject=source):
        if theirs.purpose in ours and ours[theirs.purpose].occurred_at >= theirs.occurred_at:
            continue
        _record(
            subjects=[into],
            purposes=[Purpose(theirs.purpose)],
            granted=theirs.granted,
            source=Source.ADDRESS_CHANGE,
            occurred_at=theirs.occurred_at,
            actor=None,
            evidence={"carried_from": {"subject": source.pk, "event": theirs.event_id}},
            locked=True,
            awaiting=Awaiting(theirs.awaiting),
        )
    Election.objects.filter(subject=source).delete()
    Subject.objects.filter(merged_into=source).update(merged_into=into)
    Subject.objects.filter(pk=source.pk).update(email=None, email_digest=None, merged_into=into)


def subject_erase(*, subject: Subject) -> None:
    """Forget a subject's address and account, keeping a suppression in their place.

    Marketing and site updates are withdrawn first (unless already withdrawn), so the
    keyed digest that stays behind keeps the address out of every later campaign and
    lets a later "remove" find it. The history stays too: it is the ledger's proof.
    """
    with transaction.atomic():
        current = {e.purpose: e.granted for e in Election.objects.filter(subject=subject)}
        purposes = [purpose for purpose in COMMUNICATION_PURPOSES if current.get(purpose, True)]
        if purposes:
            _record(
                subjects=[subject],
                purposes=purposes,
                granted=False,
                source=Source.ACCOUNT_DELETION,
                occurred_at=None,
                actor=None,
                evidence=None,
            )
        Subject.objects.filter(pk=subject.pk).update(email=None, user=None)
        # Whoever uses the address next must not inherit the history of the person's
        # other addresses: what was merged in stays on record, linked to no one.
        Subject.objects.filter(merged_into=subject).update(merged_into=None)
