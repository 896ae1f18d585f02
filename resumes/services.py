"""Resume work: opening workspaces, the questionnaire, files, the writer's drafts,
review, and sending a resume only where its owner authorized it (P7, P10)."""

import hashlib
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import RESUME_WRITER
from careerperfect.private_files import PRIVATE_STORAGE, private_file_delete, private_file_save
from consent.purposes import Purpose
from consent.selectors import consent_is_granted, consent_withdrawn_since
from consent.services import subject_get_or_create
from mail.services import email_queue, outbound_messages_clear
from orders.models import Entitlement
from privacy.models import Disclosure
from privacy.services import disclosure_record, staff_access_record, stored_files_delete
from resumes.documents import Document, document_identify
from resumes.models import (
    DisclosureAuthorization,
    EducationEntry,
    Questionnaire,
    ResumeEvent,
    ResumeFile,
    ResumeSend,
    ResumeWorkspace,
    WorkEntry,
)
from resumes.selectors import resume_is_assigned_writer, resume_latest_draft

Status = ResumeWorkspace.Status
Action = ResumeEvent.Action

# The entitlements that open a workspace, and the kind of workspace each opens.
WORKSPACE_KINDS = {
    Entitlement.Kind.RESUME_WRITING: ResumeWorkspace.Kind.RESUME,
    Entitlement.Kind.COVER_LETTER: ResumeWorkspace.Kind.COVER_LETTER,
}
SHARE_LINK_SALT = "resumes.share-link"
# Sharing again to the same address this soon is a double click or a resent form:
# nothing more is sent. ("Send again" on the authorization sends on purpose.)
SHARE_REPEAT_WINDOW = timedelta(minutes=10)
FILE_FOLDER = "resumes"


class ResumeActionRefused(Exception):
    """A step the workflow does not allow now; the message is shown to the person."""


class ResumeDecisionTaken(ResumeActionRefused):
    """The same decision sent again (a double click, the back button): a draft's
    approval or revision request, the questionnaire's sending. It was taken once, and
    the message says so."""


def _event(
    *, workspace: ResumeWorkspace, action: Action, actor, comment: str = "", file=None
) -> ResumeEvent:
    return ResumeEvent.objects.create(
        workspace=workspace,
        action=action,
        actor=actor,
        status_after=workspace.status,
        comment=comment,
        file=file,
    )


def _set_status(workspace: ResumeWorkspace, status: Status) -> None:
    workspace.status = status
    workspace.save(update_fields=["status", "updated_at"])


def _locked(workspace: ResumeWorkspace) -> ResumeWorkspace:
    """Reload the workspace under a row lock, so that two transitions cannot interleave."""
    return ResumeWorkspace.objects.select_for_update().get(pk=workspace.pk)


REFUNDED = "This order was cancelled, so work on it has stopped."


def _entitlement_locked(workspace: ResumeWorkspace) -> Entitlement:
    return Entitlement.objects.select_for_update().get(pk=workspace.entitlement_id)


def _require_open(workspace: ResumeWorkspace) -> None:
    if not workspace.entitlement.is_active:
        raise ResumeActionRefused(REFUNDED)
    if workspace.status == Status.DELIVERED:
        raise ResumeActionRefused("This resume is finished and delivered.")


def _site_link(path: str) -> str:
    return settings.SITE_URL + path


def _workspace_link(workspace: ResumeWorkspace) -> str:
    return _site_link(reverse("resumes:workspace", args=[workspace.public_id]))


def _writer_link(workspace: ResumeWorkspace) -> str:
    return _site_link(reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]))


def _tell_writer(workspace: ResumeWorkspace, subject: str, text: str) -> None:
    if workspace.writer is not None:
        email_queue(
            to=workspace.writer.email,
            subject=f"[CareerPerfect] {subject}",
            text=f"{text}\n\nOpen it in the admin: {_writer_link(workspace)}\n",
        )


# --- Opening ---------------------------------------------------------------------


def resume_workspace_open(*, entitlement: Entitlement) -> ResumeWorkspace:
    """The workspace of a resume or cover-letter entitlement, opened on first use.

    Idempotent, so that orders can call it when a line is paid and the owner's page
    can call it again; a guest entitlement (no user yet) cannot have one.
    """
    if entitlement.kind not in WORKSPACE_KINDS:
        raise ValueError(f"A {entitlement.kind} entitlement has no resume workspace.")
    if entitlement.user_id is None:
        raise ValueError("A guest entitlement has no owner for a workspace yet.")
    existing = ResumeWorkspace.objects.filter(entitlement=entitlement).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            workspace = ResumeWorkspace.objects.create(
                entitlement=entitlement,
                owner_id=entitlement.user_id,
                kind=WORKSPACE_KINDS[entitlement.kind],
            )
            Questionnaire.objects.create(workspace=workspace)
            _event(workspace=workspace, action=Action.OPENED, actor=None)
    except IntegrityError:
        # Another request opened it at the same moment.
        return ResumeWorkspace.objects.get(entitlement=entitlement)
    return workspace


def resume_workspaces_open(*, entitlements) -> list[ResumeWorkspace]:
    """Open the workspace of each of these entitlements that is for a resume or cover
    letter, active and owned; orders calls it when an order is paid, so that Support
    can assign a writer at once. A guest's entitlement gets its workspace when the
    order is attached to their account (resume_workspaces_open_for_owner)."""
    return [
        resume_workspace_open(entitlement=entitlement)
        for entitlement in entitlements
        if entitlement.kind in WORKSPACE_KINDS
        and entitlement.user_id is not None
        and entitlement.is_active
    ]


def resume_workspaces_open_for_owner(*, user) -> None:
    """Open a workspace for each of the person's active resume entitlements."""
    waiting = Entitlement.objects.filter(
        user=user,
        kind__in=list(WORKSPACE_KINDS),
        revoked_at__isnull=True,
        resume_workspace__isnull=True,
    )
    for entitlement in waiting:
        resume_workspace_open(entitlement=entitlement)


# --- Questionnaire ---------------------------------------------------------------


def questionnaire_step_save(
    *,
    workspace: ResumeWorkspace,
    step: int,
    answers: dict | None = None,
    entries: list[dict] | None = None,
) -> Questionnaire:
    """Save one step: its answers, and for the repeatable steps the full list of entries.

    The step counts as saved (the progress bar, where to pick up again) once it holds
    the answers it needs; saved without them (on the way back), it does not."""
    _require_open(workspace)
    questionnaire = workspace.questionnaire
    with transaction.atomic():
        for field, value in (answers or {}).items():
            setattr(questionnaire, field, value)
        if step == 2 and entries is not None:
            questionnaire.work_entries.all().delete()
            WorkEntry.objects.bulk_create(
                WorkEntry(questionnaire=questionnaire, **entry) for entry in entries
            )
        if step == 3 and entries is not None:
            questionnaire.education_entries.all().delete()
            EducationEntry.objects.bulk_create(
                EducationEntry(questionnaire=questionnaire, **entry) for entry in entries
            )
        saved = set(questionnaire.saved_steps)
        if questionnaire.step_answered(step):
            saved.add(step)
        else:
            saved.discard(step)
        questionnaire.saved_steps = sorted(saved)
        questionnaire.save()
    return questionnaire


def questionnaire_missing(*, questionnaire: Questionnaire) -> list[str]:
    """What must still be answered before the questionnaire can go to the writer."""
    missing = []
    if not questionnaire.step_answered(1):
        missing.append("the job and industry you are aiming for (step 1)")
    if not questionnaire.step_answered(4):
        missing.append("your skills (step 4)")
    return missing


def questionnaire_submit(*, workspace: ResumeWorkspace, actor) -> ResumeWorkspace:
    _require_open(workspace)
    missing = questionnaire_missing(questionnaire=workspace.questionnaire)
    if missing:
        raise ResumeActionRefused("Before sending, please add " + " and ".join(missing) + ".")
    with transaction.atomic():
        workspace = _locked(workspace)
        if workspace.status != Status.QUESTIONNAIRE:
            # Sent again (a double click, the back button): once is enough.
            raise ResumeDecisionTaken(
                "Saved. Your questionnaire is with your writer already."
                if workspace.writer_id
                else "Saved. Your questionnaire is sent already; your writer starts from it "
                "as soon as we have chosen them."
            )
        Questionnaire.objects.filter(workspace=workspace).update(submitted_at=timezone.now())
        _set_status(workspace, Status.WRITING)
        _event(workspace=workspace, action=Action.QUESTIONNAIRE_SENT, actor=actor)
        _tell_writer(
            workspace,
            f"Questionnaire received for {workspace}",
            f"The customer of {workspace} has sent their questionnaire.",
        )
    return workspace


# --- Files -----------------------------------------------------------------------


@contextmanager
def _stored(*, data: bytes):
    """Store bytes for the duration of a block: if the block fails (its transaction
    rolled back), the stored file is removed again, so nothing is half-stored."""
    storage_name = private_file_save(folder=FILE_FOLDER, content=data)
    try:
        yield storage_name
    except BaseException:
        private_file_delete(name=storage_name)
        raise


def _file_record(
    *,
    workspace: ResumeWorkspace,
    kind: ResumeFile.Kind,
    actor,
    name: str,
    data: bytes,
    document: Document,
    storage_name: str,
    version: int | None = None,
    note: str = "",
) -> ResumeFile:
    return ResumeFile.objects.create(
        workspace=workspace,
        kind=kind,
        version=version,
        storage_name=storage_name,
        original_name=name[:200],
        format=document.format,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        note=note,
        uploaded_by=actor,
    )


def resume_file_upload(
    *, workspace: ResumeWorkspace, actor, name: str, data: bytes, size: int | None = None
) -> ResumeFile:
    """The customer uploads the resume they already have (a file once: sent twice, by
    a double click or a second tab, it is refused the second time)."""
    _require_open(workspace)
    document = document_identify(name=name, data=data, size=size)
    with _stored(data=data) as storage_name, transaction.atomic():
        workspace = _locked(workspace)
        same = workspace.files.filter(
            kind=ResumeFile.Kind.UPLOAD, sha256=hashlib.sha256(data).hexdigest()
        ).first()
        if same is not None:
            raise ResumeActionRefused(
                f"You have uploaded this file already (as “{same.original_name}”)"
                + (": your writer has it." if workspace.writer_id else ".")
            )
        file = _file_record(
            workspace=workspace,
            kind=ResumeFile.Kind.UPLOAD,
            actor=actor,
            name=name,
            data=data,
            document=document,
            storage_name=storage_name,
        )
        _event(workspace=workspace, action=Action.FILE_UPLOADED, actor=actor, file=file)
        workspace.save(update_fields=["updated_at"])
    return file


DRAFTS_KEPT = (
    "Drafts come from your writer and stay with your resume: your reviews and your "
    "final depend on them. You can delete the files you uploaded."
)


def resume_file_require_deletable(*, file: ResumeFile) -> None:
    """Only the customer's own uploads may go; a draft is the writer's work."""
    if file.kind != ResumeFile.Kind.UPLOAD:
        raise ResumeActionRefused(DRAFTS_KEPT)


def resume_file_delete(*, file: ResumeFile, actor) -> None:
    """The owner deletes a resume they uploaded: its row now, its stored file once that
    commits (stored_files_delete). At any stage of the work, refunded or delivered too:
    nothing the product promises is built on an upload, and it is the person's data.
    The timeline records the deletion without the file's name, which may name them."""
    resume_file_require_deletable(file=file)
    with transaction.atomic():
        workspace = _locked(file.workspace)
        deleted, _ = ResumeFile.objects.filter(pk=file.pk).delete()
        if not deleted:
            return  # Sent twice: deleted by the first.
        stored_files_delete(storage=PRIVATE_STORAGE, names=[file.storage_name])
        what = f"{file.get_format_display()}, uploaded {date_format(file.created_at, 'j M Y')}"
        _event(workspace=workspace, action=Action.FILE_DELETED, actor=actor, comment=what)
        workspace.save(update_fields=["updated_at"])
        _tell_writer(
            workspace,
            f"An uploaded resume was deleted from {workspace}",
            f"The customer of {workspace} deleted a resume they had uploaded ({what}). "
            "It is no longer in the workspace.",
        )


def resume_draft_upload(
    *,
    workspace: ResumeWorkspace,
    writer,
    name: str,
    data: bytes,
    size: int | None = None,
    note: str = "",
) -> ResumeFile:
    """The assigned writer adds the next draft; the customer is told it is ready."""
    if not resume_is_assigned_writer(user=writer, workspace=workspace):
        raise ResumeActionRefused("Only the writer assigned to this resume can upload drafts.")
    _require_open(workspace)
    document = document_identify(name=name, data=data, size=size)
    with _stored(data=data) as storage_name, transaction.atomic():
        workspace = _locked(workspace)
        _require_open(workspace)
        if workspace.status == Status.QUESTIONNAIRE:
            raise ResumeActionRefused("The customer has not sent their questionnaire yet.")
        latest = resume_latest_draft(workspace=workspace)
        if latest is not None and latest.sha256 == hashlib.sha256(data).hexdigest():
            # The same file sent twice (a double click): one draft, one e-mail.
            raise ResumeActionRefused(
                f"This file is draft {latest.version} again, which the customer already has."
            )
        number = (latest.version if latest else 0) + 1
        file = _file_record(
            workspace=workspace,
            kind=ResumeFile.Kind.DRAFT,
            actor=writer,
            name=name,
            data=data,
            document=document,
            storage_name=storage_name,
            version=number,
            note=note,
        )
        _set_status(workspace, Status.DRAFT_READY)
        _event(workspace=workspace, action=Action.DRAFT_UPLOADED, actor=writer, file=file)
        email_queue(
            to=workspace.owner.email,
            subject=f"Your draft is ready (draft {number})",
            text=(
                f"Hello {workspace.owner.get_short_name()},\n\n"
                f"Your writer has finished draft {number} of your "
                f"{workspace.get_kind_display().lower()}. Read it, then approve it or ask "
                f"for changes in your workspace:\n\n{_workspace_link(workspace)}\n\n"
                "For your privacy the draft itself is not attached; sign in to read it.\n"
            ),
        )
    return file


# --- Review ----------------------------------------------------------------------


def _require_latest_draft(
    workspace: ResumeWorkspace, *, draft: ResumeFile, not_done: str
) -> ResumeFile:
    """The draft the customer reviewed, if it is still the one waiting for review.

    A writer may send another draft while the customer reads one: a decision taken
    on the page that showed the older draft must not land on the newer one.
    """
    if workspace.status != Status.DRAFT_READY:
        raise ResumeActionRefused("There is no draft waiting for your review.")
    latest = resume_latest_draft(workspace=workspace)
    if latest.pk != draft.pk:
        raise ResumeActionRefused(
            f"Your writer sent draft {latest.version} after you opened this page, so "
            f"{not_done}. Read draft {latest.version} below, then approve it or ask for "
            "changes."
        )
    return latest


def _revision_already_requested(
    workspace: ResumeWorkspace, *, draft: ResumeFile, comment: str
) -> bool:
    last = workspace.events.filter(action=Action.REVISION_REQUESTED).last()
    return (
        workspace.status == Status.REVISION_REQUESTED
        and last is not None
        and (last.file_id, last.comment) == (draft.pk, comment.strip())
    )


def resume_revision_request(
    *, workspace: ResumeWorkspace, actor, draft: ResumeFile, comment: str
) -> ResumeWorkspace:
    """The customer asks for changes to the draft they reviewed. The same comments on
    the same draft again raise ResumeDecisionTaken, sending nothing more."""
    _require_open(workspace)
    if not comment.strip():
        raise ResumeActionRefused("Tell your writer what to change.")
    with transaction.atomic():
        workspace = _locked(workspace)
        if _revision_already_requested(workspace, draft=draft, comment=comment):
            raise ResumeDecisionTaken(
                f"Your writer has these comments on draft {draft.version} already."
            )
        draft = _require_latest_draft(
            workspace, draft=draft, not_done="your comments were not sent"
        )
        _set_status(workspace, Status.REVISION_REQUESTED)
        _event(
            workspace=workspace,
            action=Action.REVISION_REQUESTED,
            actor=actor,
            comment=comment.strip(),
            file=draft,
        )
        _tell_writer(
            workspace,
            f"Revision requested for {workspace}",
            f"The customer of {workspace} asked for changes to draft {draft.version}.",
        )
    return workspace


def resume_approve(
    *, workspace: ResumeWorkspace, actor, draft: ResumeFile, comment: str = ""
) -> ResumeWorkspace:
    """The customer approves the draft they reviewed: it becomes the delivered final.
    A comment written before approving goes to the writer with the approval. The
    final approved again raises ResumeDecisionTaken, sending nothing more."""
    with transaction.atomic():
        workspace = _locked(workspace)
        if workspace.status == Status.DELIVERED and workspace.final_file_id == draft.pk:
            raise ResumeDecisionTaken(
                f"You approved draft {draft.version} already: it is your final."
            )
        _require_open(workspace)
        final = _require_latest_draft(workspace, draft=draft, not_done="nothing was approved")
        workspace.final_file = final
        workspace.status = Status.DELIVERED
        workspace.save(update_fields=["final_file", "status", "updated_at"])
        _event(
            workspace=workspace,
            action=Action.APPROVED,
            actor=actor,
            file=final,
            comment=comment.strip(),
        )
        email_queue(
            to=workspace.owner.email,
            subject=f"Your final {workspace.get_kind_display().lower()} is ready",
            text=(
                f"Hello {workspace.owner.get_short_name()},\n\n"
                f"You approved draft {final.version}; it is now your final "
                f"{workspace.get_kind_display().lower()}. Download it any time from your "
                f"workspace:\n\n{_workspace_link(workspace)}\n"
            ),
        )
        _tell_writer(
            workspace,
            f"{workspace} approved",
            f"The customer approved draft {final.version} of {workspace}"
            + (", with a comment for you." if comment.strip() else ".")
            + " Thank you!",
        )
    return workspace


# --- Staff -----------------------------------------------------------------------


def resume_writer_assign(*, workspace: ResumeWorkspace, writer, actor) -> ResumeWorkspace:
    """Support assigns (or changes) the writer; only members of the writer group qualify."""
    if writer is not None and not (
        writer.is_staff and writer.is_active and writer.groups.filter(name=RESUME_WRITER).exists()
    ):
        raise ResumeActionRefused(f"{writer} is not an active member of {RESUME_WRITER}.")
    with transaction.atomic():
        # The entitlement first, then the workspace, in the order a refund takes them
        # (it revokes the entitlement, then releases writers): either the refund
        # commits first and is seen here, or it waits and then releases this writer.
        entitlement = _entitlement_locked(workspace)
        workspace = _locked(workspace)
        if workspace.writer_id == (writer.pk if writer else None):
            return workspace
        if writer is not None and not entitlement.is_active:
            raise ResumeActionRefused(REFUNDED)
        workspace.writer = writer
        workspace.save(update_fields=["writer", "updated_at"])
        _event(
            workspace=workspace,
            action=Action.WRITER_ASSIGNED,
            actor=actor,
            comment=writer.get_full_name() if writer else "No writer",
        )
        _tell_writer(
            workspace,
            f"{workspace} is assigned to you",
            f"You are now the writer of {workspace}.",
        )
    return workspace


def resume_writers_release(*, order) -> int:
    """Take the writers of a refunded order's workspaces off them (telling each), so
    that nobody works on, or reads, a resume that was paid back; returns how many."""
    released = 0
    for pk in ResumeWorkspace.objects.filter(
        entitlement__order_line__order=order, writer__isnull=False
    ).values_list("pk", flat=True):
        with transaction.atomic():
            workspace = _locked(ResumeWorkspace(pk=pk))
            if workspace.writer is None:
                continue
            email_queue(
                to=workspace.writer.email,
                subject=f"[CareerPerfect] {workspace} is no longer yours",
                text=f"The order of {workspace} was refunded, so work on it has stopped.\n",
            )
            workspace.writer = None
            workspace.save(update_fields=["writer", "updated_at"])
            _event(
                workspace=workspace,
                action=Action.WRITER_ASSIGNED,
                actor=None,
                comment="No writer: the order was refunded",
            )
            released += 1
    return released


def resume_staff_access_record(*, staff, workspace: ResumeWorkspace, file=None) -> None:
    """Log a staff member's look at a resume (P10): the Privacy Officer reads these."""
    if file is None:
        action = "view resume"
        what = f"{workspace} of user #{workspace.owner_id}"
        obj = workspace
    else:
        action = "download resume file"
        # Never the uploaded file's name: it may name the person, and this log is kept.
        label = file.get_kind_display() + (f" {file.version}" if file.version else "")
        what = f"{label} ({file.get_format_display()}) of {workspace}, user #{workspace.owner_id}"
        obj = file
    staff_access_record(staff=staff, obj=obj, action=action, description=what)


# --- Sending to a recipient (P7) -------------------------------------------------


def _require_can_send(workspace: ResumeWorkspace) -> None:
    if not consent_is_granted(user=workspace.owner, purpose=Purpose.RESUME_DISCLOSURE):
        raise ResumeActionRefused(
            "Sending your resume to anyone is switched off. To send it, first allow "
            "“Sharing my resume with recipients I name” on your My privacy page."
        )
    if workspace.final_file_id is None:
        raise ResumeActionRefused(
            f"You can send your {workspace.get_kind_display().lower()} once you have "
            "approved a final."
        )


def resume_send(*, authorization: DisclosureAuthorization, actor) -> ResumeSend:
    """Send the final to an authorized recipient, recording the disclosure first."""
    workspace = authorization.workspace
    if actor.pk != workspace.owner_id:
        raise ResumeActionRefused("Only the resume's owner can send it.")
    with transaction.atomic():
        authorization = DisclosureAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if not authorization.is_active:
            raise ResumeActionRefused(
                f"You revoked sending to {authorization.recipient_name}; nothing was sent."
            )
        _require_can_send(workspace)
        final = workspace.final_file
        disclosure = disclosure_record(
            recipient=f"{authorization.recipient_name} <{authorization.recipient_email}>",
            data_categories=[f"{workspace.get_kind_display().lower()} (final document)"],
            basis=Disclosure.Basis.AUTHORIZATION,
            reference=f"resume authorization {authorization.public_id}",
            subjects=[subject_get_or_create(user=workspace.owner)],
            recorded_by=actor,
        )
        send = ResumeSend.objects.create(
            authorization=authorization, file=final, disclosure=disclosure
        )
        _event(
            workspace=workspace,
            action=Action.SENT_TO_RECIPIENT,
            actor=actor,
            comment=str(authorization),
            file=final,
        )
        link = _site_link(
            reverse("resumes:shared_file", args=[signing.dumps(send.pk, salt=SHARE_LINK_SALT)])
        )
        until = timezone.now() + timedelta(days=settings.RESUME_SHARE_LINK_DAYS)
        send.message = email_queue(
            to=authorization.recipient_email,
            subject=(
                f"{workspace.owner.get_full_name()} sent you their "
                f"{workspace.get_kind_display().lower()}"
            ),
            text=(
                f"Hello {authorization.recipient_name},\n\n"
                f"{workspace.owner.get_full_name()} asked CareerPerfect to send you their "
                f"{workspace.get_kind_display().lower()}. Download it here until "
                f"{date_format(until, 'j F Y')}:\n\n{link}\n\n"
                "The link stops working at once if they withdraw their permission.\n"
            ),
        )
        send.save(update_fields=["message"])
    return send


def resume_share(
    *, workspace: ResumeWorkspace, actor, recipient_name: str, recipient_email: str
) -> tuple[ResumeSend, bool]:
    """Authorize a recipient and send them the final, in one step for the owner.

    Returns the send and whether it was sent now: a repeat within SHARE_REPEAT_WINDOW
    returns the earlier send, and sends and records nothing.
    """
    _require_can_send(workspace)
    with transaction.atomic():
        workspace = _locked(workspace)
        repeated = (
            ResumeSend.objects.filter(
                authorization__workspace=workspace,
                authorization__revoked_at__isnull=True,
                authorization__recipient_email__iexact=recipient_email,
                authorization__created_at__gte=timezone.now() - SHARE_REPEAT_WINDOW,
            )
            .select_related("authorization")
            .first()
        )
        if repeated is not None:
            return repeated, False
        authorization = DisclosureAuthorization.objects.create(
            workspace=workspace, recipient_name=recipient_name, recipient_email=recipient_email
        )
        _event(
            workspace=workspace,
            action=Action.SHARING_AUTHORIZED,
            actor=actor,
            comment=str(authorization),
        )
        return resume_send(authorization=authorization, actor=actor), True


def resume_authorization_revoke(
    *, authorization: DisclosureAuthorization, actor
) -> DisclosureAuthorization:
    with transaction.atomic():
        authorization = DisclosureAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if authorization.is_active:
            authorization.revoked_at = timezone.now()
            authorization.save(update_fields=["revoked_at"])
            _event(
                workspace=authorization.workspace,
                action=Action.SHARING_REVOKED,
                actor=actor,
                comment=str(authorization),
            )
    return authorization


def resume_shared_file(*, token: str) -> ResumeFile | None:
    """The file behind a recipient's link, or None if the link is forged, expired,
    revoked, or its owner has withdrawn the disclosure election since it was sent
    (even if they have granted it again: a new grant revives no old link)."""
    try:
        send_id = signing.loads(
            token, salt=SHARE_LINK_SALT, max_age=timedelta(days=settings.RESUME_SHARE_LINK_DAYS)
        )
    except signing.BadSignature:
        return None
    send = (
        ResumeSend.objects.select_related("authorization__workspace__owner", "file")
        .filter(pk=send_id)
        .first()
    )
    if send is None or send.file is None or not send.authorization.is_active:
        return None
    owner = send.authorization.workspace.owner
    if not consent_is_granted(user=owner, purpose=Purpose.RESUME_DISCLOSURE):
        return None
    if consent_withdrawn_since(user=owner, purpose=Purpose.RESUME_DISCLOSURE, since=send.sent_at):
        return None
    return send.file


# --- Deletion --------------------------------------------------------------------


def resume_workspace_purge(*, workspace: ResumeWorkspace) -> None:
    """Delete a workspace with its content, and its files from storage.

    The files go once the rows are gone for good (after commit), so that a rollback
    never leaves rows pointing at missing files. Disclosure records stay: they are
    the company's log of what left it (P7).
    """
    names = list(workspace.files.values_list("storage_name", flat=True))
    with transaction.atomic():
        # What was e-mailed to recipients names the owner: its copy here is cleared.
        outbound_messages_clear(
            message_ids=ResumeSend.objects.filter(authorization__workspace=workspace)
            .exclude(message=None)
            .values_list("message_id", flat=True)
        )
        workspace.delete()
        stored_files_delete(storage=PRIVATE_STORAGE, names=names)
