import json
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from importlib import import_module
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    DATA_EXPORT_STORAGE,
    AccountErasure,
    DataExport,
    Profile,
    data_export_storage,
)
from accounts.personal_data_registry import ErasureBlocked, personal_data_modules
from accounts.selectors import account_erasable_by
from careerperfect.queueing import enqueue_on_commit
from consent.models import email_digest
from consent.purposes import Purpose, Source
from consent.selectors import consent_elections
from consent.services import (
    consent_grant,
    consent_withdraw,
    consent_withdraw_for_own_addresses,
    subject_get_or_create,
)
from mail.services import email_queue
from privacy.services import stored_files_delete

logger = logging.getLogger(__name__)

ZIP_ROOT = "careerperfect-data"
# See sessions_clear_ended.
SESSION_RECORD_GRACE = timedelta(hours=1)
# An export still queued this long after it was asked for lost its task on the way (the
# broker was down): data_exports_requeue, run by beat, queues it again.
EXPORT_LOST_AFTER = timedelta(minutes=5)
# An export still queued or being built after this long is given up (it keeps failing,
# or no worker runs); the person can ask again.
EXPORT_GIVE_UP_AFTER = timedelta(days=1)
# A build may run longer than other tasks (their limit is two minutes): a person with
# many large files has them all read and zipped.
EXPORT_BUILD_SOFT_TIME_LIMIT = timedelta(minutes=15)
EXPORT_BUILD_TIME_LIMIT = EXPORT_BUILD_SOFT_TIME_LIMIT + timedelta(minutes=1)
ERASURE_BY_SUPERUSER_ONLY = (
    "This is a staff account or a superuser's: only a superuser can erase it."
)


def account_signup_complete(*, user, name: str, elections: Iterable[Purpose]) -> None:
    """Finish a signup: name, the age attestation, and one grant per ticked election."""
    user.name = name
    user.age_confirmed_at = timezone.now()
    user.save(update_fields=["name", "age_confirmed_at"])
    subject_get_or_create(user=user)
    for purpose in elections:
        consent_grant(user=user, purpose=purpose, source=Source.SIGNUP)


def account_elections_update(*, user, wanted: dict[Purpose, bool]) -> list[Purpose]:
    """Record an event for each election the person changed; return those purposes."""
    subject = subject_get_or_create(user=user)
    current = consent_elections(subject=subject)
    changed = []
    for purpose, granted in wanted.items():
        election = current.get(purpose)
        # A grant that waits for confirmation is shown unticked, as not yet allowed:
        # ticked, the account holder's own grant replaces it; left unticked, it is
        # withdrawn, so that it cannot come into force later against their word.
        if granted and election and election.granted and not election.awaiting:
            continue
        if not granted and not (election and election.granted):
            continue
        record = consent_grant if granted else consent_withdraw
        record(user=user, purpose=purpose, source=Source.PREFERENCES)
        changed.append(purpose)
    stopped = [purpose for purpose, granted in wanted.items() if not granted]
    if stopped:
        for recorded in consent_withdraw_for_own_addresses(
            user=user, purposes=stopped, source=Source.PREFERENCES
        ):
            if recorded.was_granted and recorded.event.purpose not in changed:
                changed.append(Purpose(recorded.event.purpose))
    return changed


# --- "Help us improve" (P6) -----------------------------------------------------


def profile_update(
    *,
    user,
    interests: str = "",
    site_likes: str = "",
    site_dislikes: str = "",
    job_types: Iterable[str] = (),
    job_titles: str = "",
) -> Profile | None:
    """Save the person's optional answers; with every answer empty, keep nothing."""
    answers = {
        "interests": interests.strip(),
        "site_likes": site_likes.strip(),
        "site_dislikes": site_dislikes.strip(),
        "job_types": sorted(set(job_types)),
        "job_titles": job_titles.strip(),
    }
    if not any(answers.values()):
        profile_delete(user=user)
        return None
    profile, _ = Profile.objects.update_or_create(user=user, defaults=answers)
    return profile


def profile_delete(*, user) -> bool:
    """Delete every answer; True when there was something to delete."""
    deleted, _ = Profile.objects.filter(user=user).delete()
    return bool(deleted)


# --- Sessions ---------------------------------------------------------------------


def user_sessions_end(*, sessions: Iterable) -> None:
    """Sign these sessions out (allauth.usersessions sessions of one person)."""
    from allauth.usersessions.adapter import get_adapter

    get_adapter().end_sessions(list(sessions))


def user_sessions_end_others(*, user, current_session_key: str | None) -> int:
    """Sign out every session of the person but the one they are using."""
    from allauth.usersessions.models import UserSession

    others = list(UserSession.objects.filter(user=user).exclude(session_key=current_session_key))
    user_sessions_end(sessions=others)
    return len(others)


def sessions_clear_ended(*, now=None) -> int:
    """Delete sessions that are over, and what allauth recorded of each (its browser
    and IP address): kept, they would be personal data held for nothing. Return how
    many of those records went. Idempotent: beat runs it every hour.

    A record younger than SESSION_RECORD_GRACE stays even without its session: the
    record of a sign-in can be written a moment before its session is.
    """
    from allauth.usersessions.models import UserSession

    now = now or timezone.now()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    records = UserSession.objects.filter(created_at__lt=now - SESSION_RECORD_GRACE)
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        # Sessions kept elsewhere are asked after one by one, as allauth does.
        return sum(record.purge() for record in records.iterator())
    from django.contrib.sessions.models import Session

    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    deleted, _ = records.exclude(Exists(live)).delete()
    return deleted


# --- Download my data -------------------------------------------------------------


def data_export_request(*, user) -> DataExport:
    """Start building a ZIP of everything we hold on the person, or return the one
    already on its way."""
    from accounts.tasks import data_export_build as build_task

    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        # The database keeps one in progress per person: asked again, even at the same
        # moment through another server, the answer is the one on its way.
        return DataExport.objects.filter(user=user).first()
    # With the broker down the request stands all the same: the sweep queues it later.
    enqueue_on_commit(build_task, export.pk)
    return export


def data_exports_requeue(*, now=None) -> int:
    """Queue the build again for exports still waiting well after they were asked for
    (their task was lost), or claimed by a worker that died mid-build; return how many.
    Safe to run at any time: the build claims an export once however often it is
    queued (see _claim)."""
    from accounts.tasks import data_export_build as build_task

    now = now or timezone.now()
    # A killed worker's message comes back while its claim is still fresh, and the
    # build it starts does nothing: after that, nothing but this sweep takes it up.
    waiting = list(
        DataExport.objects.filter(
            Q(status=DataExport.Status.QUEUED)
            | Q(status=DataExport.Status.BUILDING, claimed_at__lt=_claim_stale_before(now)),
            requested_at__lt=now - EXPORT_LOST_AFTER,
            requested_at__gte=now - EXPORT_GIVE_UP_AFTER,
        ).values_list("pk", flat=True)
    )
    for export_id in waiting:
        enqueue_on_commit(build_task, export_id)
    if waiting:
        logger.info("Queued %d data export(s) again", len(waiting))
    return len(waiting)


def _claim_stale_before(now):
    # A build claimed longer ago than a build may run belongs to a dead worker.
    return now - EXPORT_BUILD_TIME_LIMIT


def _claim(export_id: int) -> bool:
    now = timezone.now()
    return bool(
        DataExport.objects.filter(
            Q(status=DataExport.Status.QUEUED)
            | Q(status=DataExport.Status.BUILDING, claimed_at__lt=_claim_stale_before(now)),
            pk=export_id,
        ).update(status=DataExport.Status.BUILDING, claimed_at=now, progress=0, step="")
    )


def _progress(export_id: int, *, percent: int, step: str) -> None:
    # Outside any transaction, so the progress page sees each step at once.
    DataExport.objects.filter(pk=export_id).update(progress=percent, step=step[:120])


def _zip_path(label: str, name: str, taken: set[str]) -> str:
    """A safe path in the ZIP, not yet taken, for a file an app hands over."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in {"/", ".", ".."}]
    path = f"{ZIP_ROOT}/files/{label}/" + ("/".join(parts) or "file")
    candidate, counter = path, 1
    while candidate in taken:
        counter += 1
        head, dot, extension = path.rpartition(".")
        candidate = (
            f"{head}-{counter}.{extension}" if dot and "/" not in extension else f"{path}-{counter}"
        )
    return candidate


def _zip_write(export: DataExport) -> tuple[str, int]:
    """Write the ZIP to storage; return its name and size."""
    user = export.user
    modules = personal_data_modules()
    generated_at = timezone.now()
    document = {
        "format": "careerperfect-personal-data/1",
        "generated_at": generated_at,
        "sections": {},
    }
    files: list[str] = []
    taken: set[str] = set()
    with tempfile.TemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, module in enumerate(modules):
                _progress(
                    export.pk,
                    percent=5 + 90 * index // len(modules),
                    step=str(module.app.verbose_name),
                )
                document["sections"][module.label] = module.export(user)
                for name, content in module.export_files(user):
                    path = _zip_path(module.label, name, taken)
                    taken.add(path)
                    archive.writestr(path, content)
                    files.append(path)
            archive.writestr(
                f"{ZIP_ROOT}/data.json",
                json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            )
            archive.writestr(
                f"{ZIP_ROOT}/README.txt",
                render_to_string(
                    "accounts/data_export_readme.txt",
                    {
                        "generated_at": generated_at,
                        "sections": [(m.label, m.app.verbose_name) for m in modules],
                        "files": files,
                        "root": ZIP_ROOT,
                    },
                ),
            )
        size = buffer.tell()
        buffer.seek(0)
        name = data_export_storage().save(f"{export.public_id.hex}.zip", File(buffer))
    return name, size


def data_export_build(*, export_id: int) -> bool:
    """Build a requested export, once: True when this call built it.

    Safe to run twice (a redelivered task finds it claimed or done).
    """
    if not _claim(export_id):
        return False
    export = DataExport.objects.select_related("user").get(pk=export_id)
    try:
        name, size = _zip_write(export)
    except Exception as error:
        logger.exception("Data export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(
            status=DataExport.Status.FAILED,
            step="",
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        return False
    now = timezone.now()
    expires_at = now + timedelta(days=settings.DATA_EXPORT_EXPIRY_DAYS)
    with transaction.atomic():
        done = DataExport.objects.filter(pk=export_id, status=DataExport.Status.BUILDING).update(
            status=DataExport.Status.READY,
            file_name=name,
            size=size,
            progress=100,
            step="",
            ready_at=now,
            expires_at=expires_at,
        )
        if done:
            _data_export_ready_email(export=export, expires_at=expires_at)
    if not done:
        # The account was erased (or the export expired) while we built it.
        stored_files_delete(storage=DATA_EXPORT_STORAGE, names=[name])
    return bool(done)


def _data_export_ready_email(*, export: DataExport, expires_at) -> None:
    context = {
        "user": export.user,
        "url": settings.SITE_URL
        + reverse("accounts:data_export", kwargs={"public_id": export.public_id}),
        "requested_at": export.requested_at,
        "expires_at": expires_at,
    }
    email_queue(
        to=export.user.email,
        subject="Your copy of your CareerPerfect data is ready",
        text=render_to_string("accounts/email/data_export_ready.txt", context),
    )


def data_exports_expire(*, now=None) -> int:
    """Mark expired exports so and delete their files (and give up on stuck ones);
    return how many exports expired. Idempotent: beat runs it every hour."""
    now = now or timezone.now()
    expired = 0
    for pk, file_name in list(
        DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now).values_list(
            "pk", "file_name"
        )
    ):
        with transaction.atomic():
            if DataExport.objects.filter(pk=pk, status=DataExport.Status.READY).update(
                status=DataExport.Status.EXPIRED, file_name=""
            ):
                expired += 1
                stored_files_delete(storage=DATA_EXPORT_STORAGE, names=[file_name])
    DataExport.objects.filter(
        status__in=[DataExport.Status.QUEUED, DataExport.Status.BUILDING],
        requested_at__lt=now - EXPORT_GIVE_UP_AFTER,
    ).update(status=DataExport.Status.FAILED, step="", error="Not built within a day.")
    return expired


# --- Delete my account ------------------------------------------------------------


def _staff_work_on_record(user) -> list[str]:
    """What the records say this account did as staff, that deleting it would lose:
    Django deletes its admin history with it, and blanks who made an order's change,
    recorded a disclosure (a person's own resume sends excepted: theirs to erase),
    moderated feedback, published a policy, created a campaign, or wrote a resume's
    drafts; resume work assigned to it would be left with no writer."""
    from django.contrib.admin.models import LogEntry

    from consent.models import ConsentEvent
    from feedback.models import Feedback
    from mail.models import Campaign
    from orders.models import OrderEvent
    from privacy.models import Disclosure, PolicyVersion, StaffAccess
    from resumes.models import ResumeFile, ResumeWorkspace

    records = [
        # These two the database protects already; asked first, so that a former staff
        # member's "Delete my account" says why instead of failing at the very end.
        ("views of private data", StaffAccess.objects.filter(staff=user)),
        ("changes to someone's elections", ConsentEvent.objects.filter(actor=user)),
        ("changes in the admin", LogEntry.objects.filter(user=user)),
        (
            "order status changes",
            OrderEvent.objects.filter(actor=user, source=OrderEvent.Source.STAFF),
        ),
        (
            "disclosures it recorded",
            Disclosure.objects.filter(recorded_by=user, resume_send__isnull=True),
        ),
        ("feedback it moderated", Feedback.objects.filter(moderated_by=user)),
        ("policy versions it published", PolicyVersion.objects.filter(published_by=user)),
        ("campaigns it created", Campaign.objects.filter(created_by=user)),
        ("resume work assigned to it", ResumeWorkspace.objects.filter(writer=user)),
        (
            "resume drafts it wrote",
            ResumeFile.objects.filter(uploaded_by=user, kind=ResumeFile.Kind.DRAFT),
        ),
    ]
    return [what for what, rows in records if rows.exists()]


def account_erase(*, user) -> AccountErasure:
    """Erase the person: every app's personal data, then the account itself.

    All in one transaction: either everything is erased or nothing is. What each app
    keeps (anonymised orders for accounting, the consent ledger's suppression of the
    address) is that app's erase()'s decision.

    Raises ErasureBlocked, before anything is done (closing payment pages included),
    for an account whose staff work is on record: as the consent ledger's PROTECT
    does for elections staff changed, such an account is deactivated, never deleted.
    """
    if work := _staff_work_on_record(user):
        raise ErasureBlocked(
            f"This account is named in the records of its staff work ({', '.join(work)}), "
            "which deleting it would lose. An administrator deactivates it instead "
            "(untick “Active”)."
        )
    modules = personal_data_modules()
    with transaction.atomic():
        erased = []
        for module in modules:
            if module.erases:
                module.erase(user)
                erased.append(module.label)
        erasure = AccountErasure.objects.create(
            former_user_id=user.pk, email_digest=email_digest(user.email), apps=erased
        )
        user.delete()
    logger.info("Account %s erased (%s)", erasure.former_user_id, ", ".join(erased))
    return erasure


def account_erase_for_staff(*, user, staff) -> AccountErasure:
    """Erase the person as "Delete my account" does, at their request to staff (by
    e-mail or post), and record in the admin's history who did it (the entry is left
    naming the account by its number only, as account_erase leaves every entry).

    Raises ErasureBlocked for an account this staff member may not erase
    (account_erasable_by), and as account_erase does.
    """
    from django.contrib.admin.models import DELETION, LogEntry

    if not account_erasable_by(user=user, staff=staff):
        raise ErasureBlocked(ERASURE_BY_SUPERUSER_ONLY)
    with transaction.atomic():
        LogEntry.objects.log_actions(user_id=staff.pk, queryset=[user], action_flag=DELETION)
        return account_erase(user=user)
