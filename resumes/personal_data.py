"""A person's resume work, for "download my data" and "delete my account"."""

from collections import Counter

from careerperfect.private_files import private_file_read
from privacy.selectors import staff_accesses_of
from resumes.models import ResumeFile, ResumeWorkspace
from resumes.services import resume_workspace_purge
from resumes.views import file_download_name


def _workspaces(user):
    return ResumeWorkspace.objects.filter(owner=user).select_related("questionnaire")


def export(user) -> dict:
    workspaces = []
    for workspace in _workspaces(user).prefetch_related(
        "questionnaire__work_entries",
        "questionnaire__education_entries",
        "files",
        "events",
        "authorizations__sends__disclosure",
    ):
        q = workspace.questionnaire
        names = _zip_names(workspace)
        workspaces.append(
            {
                "id": str(workspace.public_id),
                "kind": workspace.get_kind_display(),
                "status": workspace.get_status_display(),
                "opened_at": workspace.created_at.isoformat(),
                "questionnaire": {
                    "target_job": q.target_job,
                    "industry": q.industry,
                    "work_history": [
                        {
                            "job_title": e.job_title,
                            "employer": e.employer,
                            "start_year": e.start_year,
                            "end_year": e.end_year,
                            "achievements": e.achievements,
                        }
                        for e in q.work_entries.all()
                    ],
                    "education": [
                        {
                            "institution": e.institution,
                            "qualification": e.qualification,
                            "year": e.year,
                        }
                        for e in q.education_entries.all()
                    ],
                    "skills": q.skills,
                    "certifications": q.certifications,
                    "notes_to_writer": q.notes,
                    "sent_at": q.submitted_at.isoformat() if q.submitted_at else None,
                },
                "files": [
                    {
                        "kind": f.get_kind_display(),
                        "version": f.version,
                        "name_in_download": names[f.pk],
                        "uploaded_as": f.original_name,
                        "format": f.get_format_display(),
                        "size": f.size,
                        "sha256": f.sha256,
                        "writer_note": f.note,
                        "at": f.created_at.isoformat(),
                    }
                    for f in workspace.files.all()
                ],
                "timeline": [
                    {"at": e.at.isoformat(), "what": e.get_action_display(), "comment": e.comment}
                    for e in workspace.events.all()
                ],
                "recipients_authorized": [
                    {
                        "recipient": a.recipient_name,
                        "email": a.recipient_email,
                        "authorized_at": a.created_at.isoformat(),
                        "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
                        "sent_at": [s.sent_at.isoformat() for s in a.sends.all()],
                    }
                    for a in workspace.authorizations.all()
                ],
                "staff_views": staff_accesses_of(objects=[workspace, *workspace.files.all()]),
            }
        )
    return {"resumes": workspaces}


def _zip_names(workspace) -> dict[int, str]:
    """The name of each of a workspace's files in the download, by file id.

    Every upload has the same download name, so the second and later ones of a format
    are numbered in upload order (my-current-resume-2.pdf): data.json and the ZIP then
    name the same file.
    """
    names, seen = {}, Counter()
    for file in workspace.files.all():
        name = file_download_name(file, workspace)
        seen[name] += 1
        if seen[name] > 1:
            stem, _, extension = name.rpartition(".")
            name = f"{stem}-{seen[name]}.{extension}"
        names[file.pk] = f"resumes/{workspace.public_id}/{name}"
    return names


def export_files(user) -> list[tuple[str, bytes]]:
    files = []
    for workspace in _workspaces(user).prefetch_related("files"):
        names = _zip_names(workspace)
        for file in workspace.files.all():
            data = _stored_bytes(file)
            if data is not None:
                files.append((names[file.pk], data))
    return files


def _stored_bytes(file: ResumeFile) -> bytes | None:
    """The file's bytes; None for one its owner deleted since it was listed (its stored
    file goes once the deletion commits). A file missing with its row still there is
    an error, which fails the export to be tried again."""
    try:
        return private_file_read(name=file.storage_name)
    except FileNotFoundError:
        if ResumeFile.objects.filter(pk=file.pk).exists():
            raise
        return None


def erase(user) -> None:
    """Delete the person's workspaces with their answers, and their files from storage."""
    for workspace in _workspaces(user):
        resume_workspace_purge(workspace=workspace)
