from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from careerperfect.paging import RawRows
from consent.selectors import person_address_digests, person_subject_ids_sql
from privacy.diff import Section, policy_diff
from privacy.models import DailyCount, Disclosure, PolicyVersion, ServiceProvider, StaffAccess
from privacy.rendering import policy_text


def policy_versions_in_force(
    *, at: datetime, document: str = PolicyVersion.Document.PRIVACY_POLICY
) -> QuerySet[PolicyVersion]:
    """The published versions of a document in effect by a moment, the one in force first.

    That is the latest to take effect among those posted by then: an event recorded
    late (a "remove" e-mail processed after an outage) happened under the text the
    site showed, not under one published since with today as its effective date. A
    version posted only later comes after them, for moments before anything was
    posted (the versions the migrations publish take effect before they ran).
    """
    posted_by_then = Case(When(published_at__lte=at, then=Value(0)), default=Value(1))
    return PolicyVersion.objects.filter(
        document=document, published_at__isnull=False, effective_date__lte=at.date()
    ).order_by(posted_by_then, "-effective_date", "-version")


def policy_version_in_force(
    *, at: datetime, document: str = PolicyVersion.Document.PRIVACY_POLICY
) -> PolicyVersion | None:
    """The published version of a document that was in effect at a moment."""
    return policy_versions_in_force(at=at, document=document).first()


def policy_version_current(
    *, document: str = PolicyVersion.Document.PRIVACY_POLICY
) -> PolicyVersion | None:
    return policy_version_in_force(at=timezone.now(), document=document)


def policy_versions_published(*, document: str) -> QuerySet[PolicyVersion]:
    """Every published version of a document, newest first (upcoming ones included)."""
    return PolicyVersion.objects.filter(document=document, published_at__isnull=False).order_by(
        "-version"
    )


def policy_version_published(*, document: str, version: int) -> PolicyVersion | None:
    return policy_versions_published(document=document).filter(version=version).first()


def policy_version_previous(*, version: PolicyVersion) -> PolicyVersion | None:
    """The published version of the same document just before this one."""
    return (
        policy_versions_published(document=version.document)
        .filter(version__lt=version.version)
        .first()
    )


def policy_version_changes(*, version: PolicyVersion) -> tuple[PolicyVersion | None, list[Section]]:
    """The published version this one follows, and what changed since it (nothing to
    compare for a first version)."""
    previous = policy_version_previous(version=version)
    if previous is None:
        return None, []
    return previous, policy_diff(
        policy_text(previous.body, for_markdown=False),
        policy_text(version.body, for_markdown=False),
    )


def service_providers_listed() -> QuerySet[ServiceProvider]:
    return ServiceProvider.objects.filter(listed=True)


def disclosures_shown_to(*, user) -> RawRows | list:
    """Disclosures of an account holder's data they may see (P7), newest first: those
    about any address of theirs (the account's, one merged into it, or a verified
    address of theirs with consent on record of its own). Rows for a Paginator: each
    page reads only its own disclosures."""
    if user.pk is None:  # Never the disclosures of every subject without an account.
        return []
    # Written in SQL: My privacy reads it on every view, and building the same query
    # through the ORM took several times as long as running it (bench/load.py).
    subjects, params = person_subject_ids_sql(user=user, digests=person_address_digests(user=user))
    through = Disclosure.subjects.through._meta.db_table
    return RawRows(
        Disclosure,
        select="id, recipient, data_categories, basis, reference, created_at",
        source=f"{Disclosure._meta.db_table} WHERE shown_to_subject = %s AND id IN"  # noqa: S608 - values are parameters
        f" (SELECT disclosure_id FROM {through} WHERE subject_id IN ({subjects}))",
        order_by="created_at DESC, id DESC",
        params=[True, *params],
    )


@dataclass(frozen=True)
class UsageColumn:
    kind: str
    name: str
    counts: list[int]

    @property
    def label(self) -> str:
        return f"{'visits' if self.kind == DailyCount.Kind.VISIT else 'uses'}: {self.name}"


@dataclass(frozen=True)
class WeeklyUsage:
    weeks: list[date]  # the Monday of each week, oldest first
    columns: list[UsageColumn]  # visits per area, then uses per service


def staff_accesses_of(*, objects) -> list[dict]:
    """When staff looked at these records of a person's private data (P10, P11), for the
    person's data download: when, what was done, and to what; not who (the log is for
    the Privacy Officer, who answers for it)."""
    which = Q(pk__in=[])
    for obj in objects:
        which |= Q(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return [
        {"at": access.at.isoformat(), "action": access.action, "what": access.description}
        for access in StaffAccess.objects.filter(which).order_by("at", "id")
    ]


def usage_weekly(*, weeks: int, until: date, site: str | None = None) -> WeeklyUsage:
    """Counts summed per week (Monday to Sunday) for the weeks ending with `until`'s week.

    site: a partner's slug, "" for the main site, None for all sites together.
    """
    last_monday = until - timedelta(days=until.weekday())
    mondays = [last_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = DailyCount.objects.filter(day__gte=mondays[0], day__lte=until)
    if site is not None:
        rows = rows.filter(site=site)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * weeks)
    for day, kind, name, count in rows.values_list("day", "kind", "name", "count"):
        totals[(kind, name)][(day - mondays[0]).days // 7] += count
    order = {DailyCount.Kind.VISIT: 0, DailyCount.Kind.USE: 1}
    columns = [
        UsageColumn(kind, name, counts)
        for (kind, name), counts in sorted(totals.items(), key=lambda i: (order[i[0][0]], i[0][1]))
    ]
    return WeeklyUsage(weeks=mondays, columns=columns)


def person_on_record(*, email: str) -> bool:
    """Whether we hold anything about this address: an account or a consent record."""
    from accounts.models import User
    from consent.services import subject_find

    try:
        return (
            User.objects.filter(email__iexact=email.strip()).exists()
            or subject_find(email=email) is not None
        )
    except ValueError:
        return False
