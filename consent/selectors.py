"""Reads of the consent ledger."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from consent.models import ConsentEvent, Election, Subject, email_digest
from consent.purposes import COMMUNICATION_PURPOSES, Awaiting, Purpose, Source
from consent.services import subject_find


def consent_is_granted(
    *, purpose: Purpose, email: str | None = None, user=None, in_force: bool = False
) -> bool:
    """Whether the current election for this purpose is granted (no record: not granted);
    with in_force, only if the grant awaits nothing more (see Awaiting): mail may go."""
    subject = subject_find(email=email, user=user)
    if subject is None:
        return False
    elections = Election.objects.filter(subject=subject, purpose=purpose, granted=True)
    if in_force:
        elections = elections.filter(awaiting=Awaiting.NOTHING)
    return elections.exists()


def consent_withdrawn_since(*, user, purpose: Purpose, since: datetime) -> bool:
    """Whether the person withdrew this purpose after `since`: a withdrawal that
    happened, or was recorded, later than it, whatever they granted again since.
    What was given under a grant (a link sent under it) dies with its withdrawal."""
    return ConsentEvent.objects.filter(
        Q(occurred_at__gt=since) | Q(recorded_at__gt=since),
        subject__in=Subject.objects.filter(_of_account(user)).values("pk"),
        purpose=purpose,
        granted=False,
    ).exists()


def consent_awaiting_confirmation(*, subject: Subject, since: datetime) -> list[Election]:
    """The subject's grants of e-mail purposes that wait for confirmation and were not
    withdrawn after since (when the owner was asked): what the owner may confirm."""
    withdrawn = set(
        ConsentEvent.objects.filter(
            subject=subject,
            purpose__in=COMMUNICATION_PURPOSES,
            granted=False,
            occurred_at__gt=since,
        ).values_list("purpose", flat=True)
    )
    waiting = Election.objects.filter(
        subject=subject, purpose__in=COMMUNICATION_PURPOSES, granted=True
    ).exclude(awaiting=Awaiting.NOTHING)
    return [election for election in waiting if election.purpose not in withdrawn]


def consent_removal_messages(*, emails: Iterable[str]) -> set[int]:
    """The inbound "remove" e-mails (their ids, as the mail app recorded them in the
    evidence) that withdrew consent of these addresses' subjects: found by the keyed
    digest, which outlives an erasure."""
    digests = {email_digest(email) for email in emails}
    return set(
        ConsentEvent.objects.filter(
            subject__email_digest__in=digests, source=Source.EMAIL
        ).values_list("evidence__inbound_message", flat=True)
    ) - {None}


def consent_still_decided_by_removal(
    *, inbound_message_id: int, items: Iterable[dict]
) -> set[tuple[int | None, str | None, str]]:
    """Of these (user, email, purpose) items, those whose current election is still the
    withdrawal that "remove" e-mail recorded: nothing was chosen since."""
    items = list(items)
    if not items:
        return set()
    whose = Q(pk__in=[])
    for item in items:
        person = (
            Q(subject__user_id=item["user"]) if item["user"] else Q(subject__email=item["email"])
        )
        whose |= person & Q(purpose=item["purpose"])
    return set(
        Election.objects.filter(
            whose, granted=False, event__evidence__inbound_message=inbound_message_id
        ).values_list("subject__user_id", "subject__email", "purpose")
    )


def subject_holding(*, subject_id: int) -> Subject | None:
    """The subject that now answers for what was recorded under subject_id: itself, or
    the subject it was merged into when its address became an account's."""
    subject = Subject.objects.filter(pk=subject_id).select_related("merged_into__user").first()
    if subject is not None and subject.merged_into_id is not None:
        return subject.merged_into
    return subject


def consent_elections(*, subject: Subject | None) -> dict[str, Election]:
    """The current election of each purpose that has one, keyed by purpose."""
    if subject is None:
        return {}
    return {
        election.purpose: election
        for election in Election.objects.filter(subject=subject)
        .select_related("event")
        .defer("event__evidence")
    }


def consent_history(*, user) -> list[ConsentEvent]:
    """Every event of an account's subject, newest occurrence first, as the person is
    shown it: what, when, how and under which policy version (its number), not the
    evidence. An event that is now its purpose's current election has is_current set,
    and awaiting as that election's (see Awaiting), so that My privacy reads both from
    one query."""
    if user.pk is None:  # Never the events of every subject without an account.
        return []
    events = list(
        ConsentEvent.objects.filter(
            subject__in=Subject.objects.filter(_of_account(user)).values("pk")
        )
        .only("subject", "purpose", "granted", "source", "occurred_at")
        .annotate(
            policy_version_number=F("policy_version__version"),
            awaiting=Subquery(Election.objects.filter(event=OuterRef("pk")).values("awaiting")),
        )
    )
    for event in events:
        event.is_current = event.awaiting is not None
    return events


def _of_account(user) -> Q:
    """The account's subject and those merged into it. Both conditions are on columns
    of the subject row itself (the account's subject id found once, ahead), so that
    the database reads them from two indexes: an IN subquery on either side of the OR
    would make it read the whole table of subjects instead."""
    own = Subject.objects.filter(user=user).order_by().values("pk")[:1]
    return Q(user=user) | Q(merged_into=Subquery(own))


def subjects_for_user(*, user) -> QuerySet[Subject]:
    """The subjects that are this person: their account's, those merged into it, and
    those of each verified address of theirs that has consent on record without being
    linked to it."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    )
    digests = {email_digest(address) for address in [user.email, *addresses]}
    return Subject.objects.filter(
        _of_account(user) | Q(email_digest__in=digests, user__isnull=True)
    ).order_by("pk")


def consent_granted_subjects(*, purpose: Purpose) -> QuerySet:
    """(subject id, address) of every subject whose current election for a purpose is
    granted, in force (awaiting nothing), and whose address is on file, in subject
    order: the recipients of a campaign. A values queryset, meant to be streamed with
    .iterator()."""
    return (
        Election.objects.filter(
            purpose=purpose,
            granted=True,
            awaiting=Awaiting.NOTHING,
            subject__email__isnull=False,
        )
        .order_by("subject_id")
        .values_list("subject_id", "subject__email")
    )


def consent_granted_subject_ids(
    *, purpose: Purpose, subject_ids: Iterable[int], in_force: bool = False
) -> set[int]:
    """Which of these subjects have their current election for a purpose granted; with
    in_force, only those whose grant awaits nothing more."""
    elections = Election.objects.filter(
        purpose=purpose, granted=True, subject_id__in=list(subject_ids)
    )
    if in_force:
        elections = elections.filter(awaiting=Awaiting.NOTHING)
    return set(elections.values_list("subject_id", flat=True))
