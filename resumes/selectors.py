"""Reads of resume work, and who may see what (P10)."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from resumes.models import (
    DisclosureAuthorization,
    ResumeFile,
    ResumeSend,
    ResumeWorkspace,
)

CONTENT_PERMISSION = "resumes.view_resume_content"
WRITER_PERMISSION = "resumes.work_on_resume"
ASSIGN_PERMISSION = "resumes.assign_writer"


def resume_is_assigned_writer(*, user, workspace: ResumeWorkspace) -> bool:
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.is_active
        and workspace.writer_id == user.pk
        and user.has_perm(WRITER_PERMISSION)
    )


def resume_staff_can_open_content(*, user, workspace: ResumeWorkspace) -> bool:
    """Staff who may read a resume's questionnaire and files: its writer, or a holder
    of the explicit content permission. Every such look is logged by the caller."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return False
    return resume_is_assigned_writer(user=user, workspace=workspace) or user.has_perm(
        CONTENT_PERMISSION
    )


def resume_workspaces_for_staff(*, user) -> QuerySet[ResumeWorkspace]:
    """The workspaces a staff member may find in the admin at all.

    Support (assigning writers) and content-permission holders see every workspace;
    a writer sees only those assigned to them; anyone else none.
    """
    workspaces = ResumeWorkspace.objects.select_related("owner", "writer", "entitlement")
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return workspaces.none()
    if user.has_perm(CONTENT_PERMISSION) or user.has_perm(ASSIGN_PERMISSION):
        return workspaces
    if user.has_perm(WRITER_PERMISSION):
        return workspaces.filter(writer=user)
    return workspaces.none()


def resume_writer_candidates() -> QuerySet:
    """Staff who can be assigned as writers."""
    from accounts.models import User
    from accounts.roles import RESUME_WRITER

    return User.objects.filter(groups__name=RESUME_WRITER, is_staff=True, is_active=True)


def resume_workspaces_of_owner(*, user) -> QuerySet[ResumeWorkspace]:
    return ResumeWorkspace.objects.filter(owner=user).select_related(
        "entitlement__order_line__order", "writer"
    )


def resume_workspace_for_owner(*, user, public_id) -> ResumeWorkspace:
    """The owner's workspace, or 404 for anyone else (also for staff)."""
    return get_object_or_404(
        ResumeWorkspace.objects.select_related(
            "entitlement", "questionnaire", "writer", "final_file", "owner"
        ),
        public_id=public_id,
        owner=user,
    )


def resume_workspace_detail(*, workspace: ResumeWorkspace) -> dict:
    """Everything a workspace page shows, in a fixed number of queries."""
    questionnaire = workspace.questionnaire
    files = list(workspace.files.select_related("uploaded_by"))
    sends = ResumeSend.objects.select_related("disclosure", "file")
    authorizations = list(
        workspace.authorizations.prefetch_related(Prefetch("sends", queryset=sends))
    )
    return {
        "questionnaire": questionnaire,
        "work_entries": list(questionnaire.work_entries.all()),
        "education_entries": list(questionnaire.education_entries.all()),
        "uploads": [f for f in files if f.kind == ResumeFile.Kind.UPLOAD],
        "drafts": [f for f in files if f.kind == ResumeFile.Kind.DRAFT],
        "events": list(workspace.events.select_related("actor", "file")),
        "authorizations": authorizations,
        "sends": sorted(
            (send for authorization in authorizations for send in authorization.sends.all()),
            key=lambda send: send.sent_at,
            reverse=True,
        ),
    }


def resume_file_of_workspace(*, workspace: ResumeWorkspace, public_id) -> ResumeFile:
    return get_object_or_404(ResumeFile, workspace=workspace, public_id=public_id)


def resume_authorization_of_workspace(
    *, workspace: ResumeWorkspace, public_id
) -> DisclosureAuthorization:
    return get_object_or_404(DisclosureAuthorization, workspace=workspace, public_id=public_id)


def resume_latest_draft(*, workspace: ResumeWorkspace) -> ResumeFile | None:
    return workspace.files.filter(kind=ResumeFile.Kind.DRAFT).order_by("-version").first()
