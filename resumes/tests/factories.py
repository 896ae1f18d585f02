"""Resume workspaces, staff by role, and small real documents of each format."""

import io
import struct
import zipfile

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import roles_sync
from accounts.tests.factories import UserFactory
from orders.models import Entitlement
from orders.tests.factories import paid_entitlement
from resumes.models import ResumeWorkspace
from resumes.selectors import resume_latest_draft
from resumes.services import (
    questionnaire_step_save,
    questionnaire_submit,
    resume_approve,
    resume_draft_upload,
    resume_workspace_open,
    resume_writer_assign,
)


def staff_member(role: str, **fields):
    """A staff user in one role's group, with the permissions accounts.roles gives it."""
    # Transactional tests flush the groups the migration made; bring them back.
    group, _ = Group.objects.get_or_create(name=role)
    roles_sync()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(group)
    return user


def workspace_open(
    *, owner=None, writer=None, kind=Entitlement.Kind.RESUME_WRITING
) -> ResumeWorkspace:
    """A workspace of a paid order for a resume, or with `kind`, a cover letter."""
    entitlement = paid_entitlement(user=owner or UserFactory(), kind=kind)
    workspace = resume_workspace_open(entitlement=entitlement)
    if writer is not None:
        workspace = resume_writer_assign(workspace=workspace, writer=writer, actor=None)
    return workspace


def workspace_submitted(*, owner=None, writer=None, **kind) -> ResumeWorkspace:
    workspace = workspace_open(owner=owner, writer=writer, **kind)
    questionnaire_step_save(
        workspace=workspace,
        step=1,
        answers={"target_job": "Data analyst", "industry": "Healthcare"},
    )
    questionnaire_step_save(
        workspace=workspace, step=4, answers={"skills": "SQL\nPython", "certifications": ""}
    )
    return questionnaire_submit(workspace=workspace, actor=workspace.owner)


def workspace_with_draft(*, owner=None, writer, **kind) -> ResumeWorkspace:
    workspace = workspace_submitted(owner=owner, writer=writer, **kind)
    resume_draft_upload(
        workspace=workspace, writer=writer, name="draft.pdf", data=pdf_bytes("Draft one")
    )
    workspace.refresh_from_db()
    return workspace


def workspace_delivered(*, owner=None, writer, **kind) -> ResumeWorkspace:
    workspace = workspace_with_draft(owner=owner, writer=writer, **kind)
    return resume_approve(
        workspace=workspace, actor=workspace.owner, draft=resume_latest_draft(workspace=workspace)
    )


# --- Documents -------------------------------------------------------------------


def pdf_bytes(text: str = "Jordan Seeker") -> bytes:
    body = (
        "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        f"4 0 obj<</Length {len(text) + 20}>>stream\n"
        f"BT /F1 12 Tf ({text}) Tj ET\nendstream endobj\n"
    )
    return f"%PDF-1.4\n{body}trailer<</Root 1 0 R>>\n%%EOF\n".encode()


def docx_bytes(*, extra_parts: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body>Jordan</w:body></w:document>")
        for name, content in (extra_parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with_corrupt_part(*, method: int) -> bytes:
    """A Word document whose main part is stored as-is but labelled as compressed by
    `method` (8 Deflate, 12 BZIP2, 9 Deflate64, which Python cannot read): reading it
    decompresses bytes that are no such stream."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body>Jordan</w:body></w:document>")
    data = bytearray(buffer.getvalue())
    # The method is in the last member's local header and in its central directory entry.
    struct.pack_into("<H", data, data.rfind(b"PK\x03\x04") + 8, method)
    struct.pack_into("<H", data, data.rfind(b"PK\x01\x02") + 10, method)
    return bytes(data)


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", "<office:document-content>Jordan</office:document-content>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def txt_bytes() -> bytes:
    return "Jordan Seeker\nData analyst, Zoë & Co — 2019 to now\n".encode()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(folder) -> list:
    """The files actually on the private storage's disk."""
    return sorted(path for path in folder.rglob("*") if path.is_file())


def drained(response) -> bytes:
    """A response's body, read to the end so that a streamed file gets closed.

    (Calling response.close() in a test would also close the database connection.)
    """
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
