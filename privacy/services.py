"""The privacy app's writes: the single doors through which individual data leaves or
is looked at by staff, policy publishing, cookie choices and aggregate analytics."""

import csv
import io
import logging
import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from consent.purposes import Purpose, Source
from consent.selectors import consent_elections
from consent.services import consent_grant, consent_withdraw, subject_get_or_create
from privacy import analytics
from privacy.models import (
    DailyCount,
    Disclosure,
    FileDeletion,
    FlushedBatch,
    PolicyVersion,
    StaffAccess,
)

logger = logging.getLogger(__name__)


def disclosure_record(
    *,
    recipient: str,
    data_categories: Iterable[str],
    basis: Disclosure.Basis,
    reference: str = "",
    subjects: Iterable = (),
    recorded_by=None,
    shown_to_subject: bool = True,
) -> Disclosure:
    """Record a disclosure outside the company (P7). Every disclosure calls this first."""
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            recipient=recipient,
            data_categories=sorted(set(data_categories)),
            basis=basis,
            reference=reference,
            recorded_by=recorded_by,
            shown_to_subject=shown_to_subject,
        )
        disclosure.subjects.set(list(subjects))
    return disclosure


def disclosure_record_for_addresses(*, emails: Iterable[str], **fields) -> Disclosure:
    """Record a disclosure staff made about the people with these addresses.

    Each address stands for its account when there is one, so that the entry shows on
    that person's My privacy page.
    """
    from accounts.models import User

    with transaction.atomic():
        subjects = []
        for email in emails:
            user = User.objects.filter(email__iexact=email.strip()).first()
            subjects.append(
                subject_get_or_create(user=user) if user else subject_get_or_create(email=email)
            )
        return disclosure_record(subjects=subjects, **fields)


def staff_access_record(*, staff, obj, action: str, description: str = "") -> StaffAccess:
    """Log a staff member's view or download of a person's private data."""
    return StaffAccess.objects.create(
        staff=staff,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        description=(description or str(obj))[:300],
    )


# How a change notice names each document in the middle of a sentence: the page's
# title alone ("our safe and secure ordering changes") would say the ordering changes.
NOTICE_NAMES = {
    PolicyVersion.Document.PRIVACY_POLICY: "privacy policy",
    PolicyVersion.Document.SAFE_AND_SECURE: "“Safe and secure ordering” page",
}


class PolicyPublishError(Exception):
    """A version cannot be published as it stands; the message says why."""


def policy_version_publish(*, version: PolicyVersion, published_by=None) -> PolicyVersion:
    """Publish a draft version of a policy document (P16).

    Versions of a document are published in order and never take effect before the one
    they follow, nor (but for the first) before the day they are published. Once
    published a version is part of the public archive and is not edited again; a
    correction is a new version.
    """
    with transaction.atomic():
        # The document's versions locked, always in one order: two drafts published at
        # once would otherwise each be checked against what was published before either.
        locked = PolicyVersion.objects.select_for_update().filter(
            Q(pk=version.pk) | Q(document=version.document)
        )
        draft = {v.pk: v for v in locked.order_by("pk")}.get(version.pk)
        if draft is None:
            raise PolicyPublishError(f"{version} was deleted meanwhile.")
        if draft.published_at is not None:
            raise PolicyPublishError(f"{draft} is published already.")
        if not draft.body.strip() or not draft.summary.strip():
            raise PolicyPublishError(f"{draft} needs a text and a summary of changes.")
        latest = (
            PolicyVersion.objects.filter(document=draft.document, published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if latest is not None and draft.version <= latest.version:
            raise PolicyPublishError(
                f"{draft} must have a higher number than the published v{latest.version}."
            )
        if latest is not None and draft.effective_date < latest.effective_date:
            raise PolicyPublishError(
                f"{draft} cannot take effect before v{latest.version} "
                f"({latest.effective_date:%d %B %Y})."
            )
        if latest is not None and draft.effective_date < timezone.localdate():
            # Consent given under the version in force would be shown under this one.
            raise PolicyPublishError(f"{draft} cannot take effect before the day it is published.")
        draft.published_at = timezone.now()
        draft.published_by = published_by
        draft.save(update_fields=["published_at", "published_by"])
        policy_change_notice_queue(version=draft, created_by=published_by)
    return draft


def policy_change_notice_queue(*, version: PolicyVersion, created_by=None):
    """Tell everyone whose site_updates election is granted that a policy changed (P16).

    A site-update campaign: the mail machinery checks each recipient's election again at
    send time (P4), and it goes out in advance when the version takes effect later.
    """
    from django.urls import reverse

    from mail.models import Campaign
    from mail.services import campaign_create, campaign_schedule

    document = NOTICE_NAMES[version.document]
    changes = settings.SITE_URL + reverse(
        "privacy:changes", args=[version.document, version.version]
    )
    effective = f"{version.effective_date:%-d %B %Y}"
    body = (
        f"We have published a new version of our {document} (version {version.version}). "
        f"It takes effect on {effective}.\n\n"
        f"**What changed:** {version.summary}\n\n"
        f"Read the new text, and every change next to the old one, at <{changes}>."
    )
    campaign = campaign_create(
        kind=Campaign.Kind.SITE_UPDATES,
        subject=f"Our {document} changes on {effective}",
        body_markdown=body,
        created_by=created_by,
    )
    return campaign_schedule(campaign=campaign)


def cookie_choices_record(*, user, choices) -> list[Purpose]:
    """Put a signed-in person's cookie choice on the consent ledger (P13).

    Records an event for each optional category whose choice is new or changed, so
    that the ledger shows every choice the person made and nothing they did not.
    """
    from privacy.cookies import CATEGORY_PURPOSE

    current = consent_elections(subject=subject_get_or_create(user=user))
    recorded = []
    for category, purpose in CATEGORY_PURPOSE.items():
        granted = choices.allows(category)
        election = current.get(purpose)
        if election is not None and election.granted == granted:
            continue
        record = consent_grant if granted else consent_withdraw
        record(user=user, purpose=purpose, source=Source.COOKIE_BANNER)
        recorded.append(purpose)
    return recorded


# A flushed batch's id is looked up only by the flush right after the one that added
# it (when that one died before dropping it from the buffer); kept a while longer.
FLUSHED_BATCH_KEEP = timedelta(days=14)


def analytics_flush(*, today: date | None = None) -> int:
    """Move the buffered counts into DailyCount rows; return how many were moved.

    Run by beat. Nothing is lost or counted twice, whatever stops a flush (an error,
    a kill, a time limit): the counts a flush takes stay in the buffer as a pending
    batch until the transaction that adds them, which also records the batch's id, has
    committed. Each flush first resolves a batch left pending: it adds it unless its id
    is recorded already, then drops it. One flush runs at a time; should a flush
    outlast its lock, the recorded id still lets only one of two add a batch.
    """
    from partners.models import Partner

    today = today or timezone.now().date()
    sites = ["", *Partner.objects.values_list("slug", flat=True)]
    keys = analytics.buffer_keys(today=today, sites=sites)
    with analytics.buffer_flush_lock() as acquired:
        if not acquired:
            return 0
        moved = 0
        pending = analytics.buffer_pending()
        if pending is not None:
            moved += _analytics_batch_move(*pending)
        batch = uuid.uuid4().hex
        taken = analytics.buffer_take(list(keys), batch=batch)
        if taken:
            moved += _analytics_batch_move(batch, taken)
        FlushedBatch.objects.filter(created_at__lt=timezone.now() - FLUSHED_BATCH_KEEP).delete()
    return moved


def _analytics_batch_move(batch: str, counts: dict[str, int]) -> int:
    """Add a batch taken from the buffer to DailyCount unless it was added already,
    then drop it from the buffer; return how many counts were added."""
    added = 0
    if not FlushedBatch.objects.filter(id=batch).exists():
        try:
            with transaction.atomic():
                # First: while another flush adds this batch, the database holds this
                # insert until that one commits (this one then stops on the duplicate
                # id) or rolls back (this one goes on).
                FlushedBatch.objects.create(id=batch)
                for key, amount in counts.items():
                    day, kind, site, name = analytics.buffer_key_parse(key)
                    updated = DailyCount.objects.filter(
                        day=day, kind=kind, site=site, name=name
                    ).update(count=F("count") + amount)
                    if not updated:
                        DailyCount.objects.create(
                            day=day, kind=kind, site=site, name=name, count=amount
                        )
            added = sum(counts.values())
        except IntegrityError:
            if not FlushedBatch.objects.filter(id=batch).exists():
                raise
    analytics.buffer_pending_drop(batch)
    return added


# An all-sites figure that, set against the partner's own, would reveal fewer than k.
WITHHELD = "withheld"


class PartnerReportScope(models.TextChoices):
    PARTNER_SITE = "partner-site", "The partner's co-branded site only"
    ALL_SITES = "all-sites", "All sites together"


def partner_report_export(*, partner, scope: str, weeks: int, exported_by) -> tuple[str, str]:
    """The aggregate usage report for a partner (P2), as (file name, CSV text).

    Rows are complete weeks (Monday to Sunday), columns the site areas and services.
    Every cell below settings.PARTNER_REPORT_MIN_COUNT is suppressed, so that no figure
    can point to a handful of people. The partner can have both scopes, so a figure of
    all sites is also withheld when it exceeds the partner's own by less than k: the
    difference would be the other sites' count. Each export is recorded as a disclosure.
    """
    from privacy.selectors import usage_weekly

    k = settings.PARTNER_REPORT_MIN_COUNT
    today = timezone.now().date()
    last_sunday = today - timedelta(days=today.weekday() + 1)
    site = partner.slug if scope == PartnerReportScope.PARTNER_SITE else None
    usage = usage_weekly(weeks=weeks, until=last_sunday, site=site)
    own_counts = {}
    if site is None:
        own_usage = usage_weekly(weeks=weeks, until=last_sunday, site=partner.slug)
        own_counts = {(column.kind, column.name): column.counts for column in own_usage.columns}

    def cell(column, index):
        count = column.counts[index]
        if count < k:
            return f"<{k}"
        own = own_counts.get((column.kind, column.name), [0] * weeks)[index]
        if 0 < count - own < k:
            return WITHHELD
        return count

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["week starting", *(column.label for column in usage.columns)])
    for index, week in enumerate(usage.weeks):
        writer.writerow([week.isoformat(), *(cell(column, index) for column in usage.columns)])

    first, last = usage.weeks[0], usage.weeks[-1] + timedelta(days=6)
    disclosure_record(
        recipient=partner.name,
        data_categories=[
            "weekly page visits per site area",
            "weekly uses per service",
        ],
        basis=Disclosure.Basis.AGGREGATE,
        reference=(
            f"Usage report {first.isoformat()} to {last.isoformat()}, "
            f"{PartnerReportScope(scope).label.lower()}, cells below {k} suppressed"
        ),
        recorded_by=exported_by,
    )
    return f"careerperfect-usage-{partner.slug}-{first.isoformat()}-{last.isoformat()}.csv", (
        out.getvalue()
    )


# --- Files of deleted records ----------------------------------------------------

# A deletion younger than this is left to the commit that listed it (see below).
FILE_DELETION_RETRY_AFTER = timedelta(minutes=5)


def stored_files_delete(*, storage: str, names: Iterable[str]) -> None:
    """Delete these files of a storage (a key of STORAGES) once the caller's
    transaction commits, and never lose one: each is listed as a FileDeletion in that
    transaction, and taken off the list only once its file is gone. Files are not
    transactional: a rollback keeps both rows and files; a storage that refuses, or
    a process that dies before its commit hook runs, leaves the file listed for
    file_deletions_retry."""
    names = sorted({name for name in names if name})
    if not names:
        return
    FileDeletion.objects.bulk_create(
        [FileDeletion(storage=storage, name=name) for name in names], ignore_conflicts=True
    )
    transaction.on_commit(lambda: _file_deletions_run(storage=storage, names=names))


def file_deletions_retry(*, now=None) -> int:
    """Beat: try again to delete every listed file the commit that listed it did not
    delete; return how many are still left."""
    cutoff = (now or timezone.now()) - FILE_DELETION_RETRY_AFTER
    due: dict[str, list[str]] = {}
    for storage, name in FileDeletion.objects.filter(created_at__lte=cutoff).values_list(
        "storage", "name"
    ):
        due.setdefault(storage, []).append(name)
    for storage, names in due.items():
        _file_deletions_run(storage=storage, names=names)
    return FileDeletion.objects.count()


def _file_deletions_run(*, storage: str, names: list[str]) -> None:
    """Delete each file on its own (one the storage refuses keeps none of the others
    on disk) and take it off the list; a refusal is logged and counted on its row."""
    from django.core.files.storage import storages

    for name in names:
        try:
            storages[storage].delete(name)
        except Exception as error:  # Whatever the storage raises: the row keeps it listed.
            logger.exception("Stored file %s:%s could not be deleted", storage, name)
            FileDeletion.objects.filter(storage=storage, name=name).update(
                attempts=F("attempts") + 1, last_error=str(error)[:500]
            )
        else:
            FileDeletion.objects.filter(storage=storage, name=name).delete()
