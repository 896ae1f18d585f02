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
def test_the_same_file_uploaded_twice_is_kept_once(client, workspace, private_storage):
    client.post(upload_url(workspace), {"file": upload("cv.pdf", pdf_bytes())})

    response = client.post(
        upload_url(workspace), {"file": upload("cv copy.pdf", pdf_bytes())}, follow=True
    )

    assert "You have uploaded this file already (as “cv.pdf”)." in response.text
    assert ResumeFile.objects.count() == 1
    assert len(stored_files(private_storage)) == 1
    client.post(upload_url(workspace), {"file": upload("cv.pdf", pdf_bytes("Another"))})
    assert ResumeFile.objects.count() == 2


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


@pytest.fixture
def spooled(monkeypatch):
    """The temporary files Django's default upload handlers write an upload to."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    names = []
    real_init = TemporaryUploadedFile.__init__

    def spy(self, name, *args, **kwargs):
        names.append(name)
        real_init(self, name, *args, **kwargs)

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", spy)
    return names


MEGABYTE = 1024 * 1024


@pytest.mark.django_db
def test_an_oversize_upload_is_refused_without_being_kept_in_memory_or_on_disk(
    client, workspace, settings, spooled, private_storage
):
    settings.RESUME_UPLOAD_MAX_BYTES = MEGABYTE
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE, so that Django alone would spool it to disk.
    big = b"a" * (3 * MEGABYTE)

    response = client.post(upload_url(workspace), {"file": upload("cv.txt", big)})

    assert response.status_code == 200
    assert "The file is 3.0\xa0MB; the limit is 1.0\xa0MB." in response.content.decode()
    assert spooled == [], "the whole upload was written to a temporary file"
    assert stored_files(private_storage) == []


@pytest.mark.django_db
def test_a_writers_oversize_draft_is_refused_without_being_kept_in_full(
    client, owner, writer, settings, spooled
):
    from resumes.tests.factories import workspace_submitted

    settings.RESUME_UPLOAD_MAX_BYTES = MEGABYTE
    workspace = workspace_submitted(owner=owner, writer=writer)
    client.force_login(writer)

    response = client.post(
        reverse("admin:resumes_resumeworkspace_draft", args=[workspace.pk]),
        {"file": upload("v1.txt", b"a" * (3 * MEGABYTE))},
    )

    assert response.status_code == 200
    assert "The file is 3.0\xa0MB; the limit is 1.0\xa0MB." in response.content.decode()
    assert spooled == []


def test_the_upload_handler_keeps_up_to_the_limit_and_counts_the_rest(settings):
    from resumes.uploads import ResumeUploadHandler

    settings.RESUME_UPLOAD_MAX_BYTES = 10

    def received(*chunks: bytes):
        handler = ResumeUploadHandler()
        handler.new_file("file", "cv.txt", "text/plain", None)
        start = 0
        for chunk in chunks:
            assert handler.receive_data_chunk(chunk, start) is None
            start += len(chunk)
        return handler.file_complete(start)

    within = received(b"12345", b"67890")
    assert (within.size, within.read()) == (10, b"1234567890")
    over = received(b"12345", b"67890", b"x" * 1000)
    assert (over.size, over.read()) == (1010, b"")


@pytest.mark.django_db
def test_the_upload_pages_still_check_the_csrf_token(owner, writer):
    from django.test import Client

    from resumes.tests.factories import workspace_submitted

    workspace = workspace_submitted(owner=owner, writer=writer)
    for person, url in (
        (owner, upload_url(workspace)),
        (writer, reverse("admin:resumes_resumeworkspace_draft", args=[workspace.pk])),
    ):
        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(person)

        response = csrf_client.post(url, {"file": upload("cv.pdf", pdf_bytes())})

        assert response.status_code == 403, url
    assert not ResumeFile.objects.exists()


@pytest.mark.django_db
def test_a_software_build_larger_than_the_resume_limit_is_still_accepted(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.tests.factories import UserFactory
    from orders.models import Product, SoftwareRelease
    from orders.tests.factories import ProductFactory

    settings.RESUME_UPLOAD_MAX_BYTES = 1024
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    installer = b"\x00" * 4096

    response = client.post(
        reverse("admin:orders_softwarerelease_add"),
        {
            "product": ProductFactory(kind=Product.Kind.SOFTWARE).pk,
            "computer_type": "windows",
            "version": "3.0",
            "download_name": "planner-3.0.exe",
            "published": "on",
            "file": SimpleUploadedFile("Planner.exe", installer),
        },
    )

    assert response.status_code == 302
    assert SoftwareRelease.objects.get().size == 4096


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
