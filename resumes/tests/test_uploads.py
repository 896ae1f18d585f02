"""Uploading an existing resume: checked by content, stored privately, nothing half-stored."""

import pytest
from django.urls import reverse

from resumes.models import ResumeEvent, ResumeFile
from resumes.tests.factories import (
    docx_bytes,
    docx_with_corrupt_part,
    pdf_bytes,
    stored_files,
    upload,
    workspace_open,
)


@pytest.fixture
def workspace(owner, client):
    client.force_login(owner)
    return workspace_open(owner=owner)


def upload_url(workspace):
    return reverse("resumes:upload", args=[workspace.public_id])


@pytest.mark.django_db
def test_an_upload_is_stored_privately_under_a_random_name(client, workspace, private_storage):
    response = client.post(upload_url(workspace), {"file": upload("Olive CV.pdf", pdf_bytes())})

    assert response.status_code == 302
    file = ResumeFile.objects.get()
    assert (file.kind, file.format, file.original_name) == ("upload", "pdf", "Olive CV.pdf")
    [on_disk] = stored_files(private_storage)
    assert on_disk.read_bytes() == pdf_bytes()
    assert "Olive" not in on_disk.name and "CV" not in on_disk.name
    assert len(on_disk.name) == 32
    assert file.storage_name == f"resumes/{on_disk.name}"
    assert workspace.events.last().action == ResumeEvent.Action.FILE_UPLOADED


@pytest.mark.django_db
def test_the_declared_content_type_is_ignored(client, workspace):
    client.post(upload_url(workspace), {"file": upload("cv.docx", docx_bytes(), "text/html")})

    assert ResumeFile.objects.get().format == "docx"


@pytest.mark.django_db
def test_private_files_are_stored_outside_any_public_folder(settings):
    from django.core.files.storage import storages

    private = settings.PRIVATE_MEDIA_ROOT
    assert not private.is_relative_to(settings.STATIC_ROOT)
    assert all(not private.is_relative_to(folder) for folder in settings.STATICFILES_DIRS)
    with pytest.raises(NotImplementedError):
        storages["private"].url("resumes/x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cv.pdf", b"", "The file is empty."),
        ("cv.pdf", docx_bytes(), "but it is a Word (DOCX) document"),
        ("cv.pdf", b"MZ\x90\x00" + b"\x00" * 300, "not a document we accept"),
        ("cv.pdf", pdf_bytes() + docx_bytes(), "hides an archive"),
        ("cv.txt", b"x" * 3000, "the limit is 2.0\xa0KB"),
    ],
    ids=["empty", "spoofed-extension", "executable", "polyglot", "oversize"],
)
def test_a_refused_file_gets_a_clear_error_and_leaves_nothing_behind(
    client, workspace, private_storage, settings, name, data, message
):
    settings.RESUME_UPLOAD_MAX_BYTES = 2048

    response = client.post(upload_url(workspace), {"file": upload(name, data)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ResumeFile.objects.exists()
    assert stored_files(private_storage) == []
    assert not workspace.events.filter(action=ResumeEvent.Action.FILE_UPLOADED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", [8, 12])
def test_a_word_document_with_a_corrupt_part_is_refused_clearly_not_with_a_server_error(
    client, workspace, private_storage, method
):
    client.raise_request_exception = False

    response = client.post(
        upload_url(workspace), {"file": upload("cv.docx", docx_with_corrupt_part(method=method))}
    )

    assert response.status_code == 200
    assert "This document is damaged. Save it again." in response.content.decode()
    assert stored_files(private_storage) == []


@pytest.mark.django_db
def test_a_failure_after_storing_removes_the_stored_file(
    client, workspace, private_storage, monkeypatch
):
    from resumes import services

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_event", fail)

    with pytest.raises(RuntimeError):
        client.post(upload_url(workspace), {"file": upload("cv.pdf", pdf_bytes())})

    assert not ResumeFile.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.django_db
def test_choosing_no_file_says_so(client, workspace):
    response = client.post(upload_url(workspace), {})

    assert "Choose the file that holds your resume." in response.content.decode()


@pytest.mark.django_db
def test_the_owner_downloads_an_upload_as_an_attachment_with_nosniff(client, workspace):
    client.post(upload_url(workspace), {"file": upload("Olive CV.pdf", pdf_bytes())})
    file = ResumeFile.objects.get()

    response = client.get(reverse("resumes:file", args=[workspace.public_id, file.public_id]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="my-current-resume.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_with_accel_redirect_the_proxy_serves_the_body(client, workspace, settings):
    client.post(upload_url(workspace), {"file": upload("cv.txt", b"Olive Owner\n")})
    file = ResumeFile.objects.get()
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"

    response = client.get(reverse("resumes:file", args=[workspace.public_id, file.public_id]))

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_private/{file.storage_name}"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="my-current-resume.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
