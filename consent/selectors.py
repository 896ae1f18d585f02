"""Reads of the consent ledger."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from careerperfect.paging import RawRows
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
        subject__in=RawSQL(*person_subject_ids_sql(user=user)),  # noqa: S611 - see there
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


def consent_still_withdrawn_by_removal(
    *, removed_at, items: Iterable[dict], repeats: Iterable[int]
) -> set[tuple[int | None, str | None, str]]:
    """Of these (user, email, purpose) items, withdrawn by a "remove" e-mail received at
    removed_at, those still withdrawn with nothing chosen since: no event from then on
    but the withdrawals of the inbound messages in repeats (that one, and the same
    address's "remove" sent again, which changed nothing)."""
    items = list(items)
    if not items:
        return set()
    whose = Q(pk__in=[])
    for item in items:
        person = (
            Q(subject__user_id=item["user"]) if item["user"] else Q(subject__email=item["email"])
        )
        whose |= person & Q(purpose=item["purpose"])
    chosen_since = ConsentEvent.objects.filter(
        subject_id=OuterRef("subject_id"), purpose=OuterRef("purpose"), occurred_at__gte=removed_at
    ).exclude(granted=False, source=Source.EMAIL, evidence__inbound_message__in=list(repeats))
    return set(
        Election.objects.filter(whose, granted=False)
        .exclude(Exists(chosen_since))
        .values_list("subject__user_id", "subject__email", "purpose")
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


def consent_history(*, user) -> RawRows | list:
    """Every event of an account's subject, newest occurrence first, as the person is
    shown it: what, when, how and under which policy version (its number), not the
    evidence. Rows for a Paginator: each page reads only its own events."""
    if user.pk is None:  # Never the events of every subject without an account.
        return []
    # Written in SQL: My privacy reads it on every view, and building the same query
    # through the ORM took several times as long as running it (bench/load.py).
    subjects, params = person_subject_ids_sql(user=user)
    event = ConsentEvent._meta.db_table
    version = ConsentEvent._meta.get_field("policy_version").related_model._meta.db_table
    return RawRows(
        ConsentEvent,
        select="e.id, e.subject_id, e.purpose, e.granted, e.source, e.occurred_at,"
        " v.version AS policy_version_number",
        source=f"{event} e LEFT JOIN {version} v ON v.id = e.policy_version_id"
        f" WHERE e.subject_id IN ({subjects})",
        order_by="e.occurred_at DESC, e.id DESC",
        params=params,
    )


def consent_current_elections(*, user) -> list[ConsentEvent]:
    """The events that are now the current elections of an account's subject (at most
    one a purpose and subject), newest occurrence first, each with awaiting as that
    election's (see Awaiting): what My privacy's boxes show, whatever page of the
    history it shows."""
    if user.pk is None:
        return []
    # Written in SQL, as consent_history is.
    subjects, params = person_subject_ids_sql(user=user)
    return list(
        ConsentEvent.objects.raw(
            f"SELECT e.id, e.subject_id, e.purpose, e.granted, e.source, e.occurred_at,"  # noqa: S608 - values are parameters
            f" c.awaiting AS awaiting"
            f" FROM {ConsentEvent._meta.db_table} e"
            f" JOIN {Election._meta.db_table} c ON c.event_id = e.id"
            f" WHERE e.subject_id IN ({subjects})"
            f" ORDER BY e.occurred_at DESC, e.id DESC",
            params,
        )
    )


def person_subject_ids_sql(*, user, digests: Iterable[str] = ()) -> tuple[str, list]:
    """SQL selecting the ids of the subjects that are this person, and its parameters:
    their account's subject, those merged into it and, for each digest given, the
    subject of that address if no account holds it. Every condition is on a column of
    the subject row itself (the account's subject id found once, ahead), so that the
    database reads them from indexes: an IN subquery on either side of an OR would
    make it read the whole table of subjects instead."""
    table = Subject._meta.db_table
    sql = (
        f"SELECT id FROM {table} WHERE user_id = %s"  # noqa: S608 - values are parameters
        f" OR merged_into_id = (SELECT id FROM {table} WHERE user_id = %s)"
    )
    params = [user.pk, user.pk]
    if digests := sorted(set(digests)):
        sql += f" OR (user_id IS NULL AND email_digest IN ({', '.join(['%s'] * len(digests))}))"
        params += digests
    return sql, params


def person_address_digests(*, user) -> set[str]:
    """The digests of the account's address and of its other verified addresses."""
    from allauth.account.models import EmailAddress

    # Written in SQL: My privacy reads it on every view (see consent_history).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT email FROM {EmailAddress._meta.db_table}"  # noqa: S608 - table name only
            " WHERE user_id = %s AND verified = %s",
            [user.pk, True],
        )
        addresses = [email for (email,) in cursor.fetchall()]
    return {email_digest(address) for address in [user.email, *addresses]}


def email_digest_searched(search_term: str) -> str | None:
    """The digest of the address typed into an admin search box, or None if what was
    typed is not one address. Of an erased address only this digest is kept (its
    subject, its erasure record), so it is how staff find one by the address."""
    try:
        return email_digest(search_term)
    except ValueError:
        return None


def subjects_for_user(*, user) -> QuerySet[Subject]:
    """The subjects that are this person: their account's, those merged into it, and
    those of each verified address of theirs that has consent on record without being
    linked to it."""
    digests = person_address_digests(user=user)
    return Subject.objects.filter(
        pk__in=RawSQL(*person_subject_ids_sql(user=user, digests=digests))  # noqa: S611 - see there
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
