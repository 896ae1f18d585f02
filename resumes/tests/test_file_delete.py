"""The owner deletes a resume they uploaded, one file at a time: asked first on a page
of its own, then gone from the database and from storage, with a line on the timeline."""

import pytest
from django.test import Client
from django.urls import reverse

from mail.models import OutboundMessage
from privacy.models import FileDeletion
from resumes.models import ResumeEvent, ResumeFile
from resumes.services import resume_file_upload
from resumes.tests.factories import stored_files, txt_bytes, workspace_delivered, workspace_open


@pytest.fixture
def workspace(owner, writer):
    return workspace_open(owner=owner, writer=writer)


@pytest.fixture
def uploaded(workspace, owner):
    return resume_file_upload(
        workspace=workspace, actor=owner, name="Olive Owner CV.txt", data=txt_bytes()
    )


def delete_url(file: ResumeFile) -> str:
    return reverse("resumes:file_delete", args=[file.workspace.public_id, file.public_id])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def still_there(file: ResumeFile, private_storage) -> bool:
    row = ResumeFile.objects.filter(pk=file.pk).exists()
    return row and (private_storage / file.storage_name).is_file()


@pytest.mark.django_db
def test_the_owner_deletes_an_upload_and_its_stored_file(
    owner, uploaded, private_storage, django_capture_on_commit_callbacks
):
    client = signed_in(owner)
    stored = private_storage / uploaded.storage_name
    assert stored.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(uploaded), follow=True)

    assert not ResumeFile.objects.filter(pk=uploaded.pk).exists()
    assert not stored.exists()
    assert stored_files(private_storage) == []
    assert not FileDeletion.objects.exists()
    assert "“Olive Owner CV.txt” is deleted." in response.content.decode()


@pytest.mark.django_db
def test_the_deletion_is_on_the_timeline_without_the_files_name(client, owner, uploaded):
    client.force_login(owner)

    client.post(delete_url(uploaded))

    event = ResumeEvent.objects.get(action=ResumeEvent.Action.FILE_DELETED)
    assert event.actor == owner
    assert event.workspace == uploaded.workspace
    assert event.comment == f"Plain text, uploaded {uploaded.created_at:%-d %b %Y}"
    page = client.get(reverse("resumes:workspace", args=[uploaded.workspace.public_id]))
    timeline = page.content.decode().split('id="timeline-title"')[1]
    assert "Uploaded resume deleted" in timeline
    assert "Olive Owner CV" not in timeline


@pytest.mark.django_db
def test_the_writer_is_told_the_upload_is_gone(client, owner, writer, uploaded):
    client.force_login(owner)

    client.post(delete_url(uploaded))

    told = OutboundMessage.objects.get(to=writer.email, subject__contains="deleted")
    assert "deleted a resume they had uploaded (Plain text" in told.text
    assert "Olive Owner CV" not in told.subject + told.text


@pytest.mark.django_db
def test_asking_to_delete_says_what_happens_and_deletes_nothing(
    client, owner, uploaded, private_storage
):
    client.force_login(owner)

    response = client.get(delete_url(uploaded))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete “Olive Owner CV.txt”?" in html
    assert "is deleted from our storage, not only from this page" in html
    assert "it cannot be brought back" in html
    workspace_url = reverse("resumes:workspace", args=[uploaded.workspace.public_id])
    assert f'<a href="{workspace_url}">Keep it</a>' in html
    assert still_there(uploaded, private_storage)
    assert not ResumeEvent.objects.filter(action=ResumeEvent.Action.FILE_DELETED).exists()


@pytest.mark.django_db
def test_the_workspace_links_each_upload_to_its_question(client, owner, uploaded):
    client.force_login(owner)

    html = client.get(reverse("resumes:workspace", args=[uploaded.workspace.public_id]))

    assert f'<a href="{delete_url(uploaded)}">Delete…' in html.content.decode()


@pytest.mark.django_db
def test_someone_elses_upload_is_not_found(owner, stranger, uploaded, private_storage):
    client = signed_in(stranger)
    own = workspace_open(owner=stranger)
    crossed = reverse("resumes:file_delete", args=[own.public_id, uploaded.public_id])

    for url in (delete_url(uploaded), crossed):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert still_there(uploaded, private_storage)


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in(client, uploaded, private_storage):
    for response in (client.get(delete_url(uploaded)), client.post(delete_url(uploaded))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert still_there(uploaded, private_storage)


@pytest.mark.django_db
def test_deleting_without_the_forms_csrf_token_is_refused(owner, uploaded, private_storage):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.post(delete_url(uploaded)).status_code == 403
    assert still_there(uploaded, private_storage)


@pytest.mark.django_db
def test_a_draft_is_not_deleted_and_the_owner_is_told_why(owner, writer, private_storage):
    workspace = workspace_delivered(owner=owner, writer=writer)
    draft = workspace.final_file
    client = signed_in(owner)

    for method in (client.get, client.post):
        response = method(delete_url(draft), follow=True)
        assert "Drafts come from your writer and stay with your resume" in (
            response.content.decode()
        )
    assert still_there(draft, private_storage)
    workspace.refresh_from_db()
    assert workspace.final_file == draft


@pytest.mark.django_db
def test_an_upload_can_be_deleted_once_the_resume_is_delivered(
    owner, writer, private_storage, django_capture_on_commit_callbacks
):
    workspace = workspace_delivered(owner=owner, writer=writer)
    # Uploaded before delivery; a delivered resume takes no new upload.
    uploaded = ResumeFile.objects.create(
        workspace=workspace,
        kind=ResumeFile.Kind.UPLOAD,
        storage_name="resumes/old-cv",
        original_name="old.txt",
        format=ResumeFile.Format.TXT,
        size=3,
        sha256="0" * 64,
    )
    (private_storage / "resumes").mkdir(parents=True, exist_ok=True)
    (private_storage / "resumes/old-cv").write_bytes(b"old")

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(owner).post(delete_url(uploaded))

    assert not still_there(uploaded, private_storage)
    assert not (private_storage / "resumes/old-cv").exists()


@pytest.mark.django_db
def test_the_same_file_can_be_uploaded_again_after_deleting_it(client, owner, uploaded):
    client.force_login(owner)
    client.post(delete_url(uploaded))

    again = resume_file_upload(
        workspace=uploaded.workspace, actor=owner, name="cv.txt", data=txt_bytes()
    )

    assert again.sha256 == uploaded.sha256


@pytest.mark.django_db
def test_the_upload_page_says_the_file_can_be_deleted_any_time(client, owner, workspace):
    client.force_login(owner)

    html = client.get(reverse("resumes:upload", args=[workspace.public_id])).content.decode()

    assert "You can delete it from your resume's page whenever you like" in html
