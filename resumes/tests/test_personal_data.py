"""Export and erasure of a person's resume work."""

import json

import pytest

from careerperfect.private_files import private_storage
from consent.purposes import Purpose, Source
from consent.services import consent_grant
from privacy.models import Disclosure
from resumes import personal_data
from resumes.models import (
    DisclosureAuthorization,
    Questionnaire,
    ResumeEvent,
    ResumeFile,
    ResumeWorkspace,
    WorkEntry,
)
from resumes.services import (
    questionnaire_step_save,
    questionnaire_submit,
    resume_approve,
    resume_draft_upload,
    resume_file_delete,
    resume_file_upload,
    resume_share,
    resume_workspace_purge,
)
from resumes.tests.factories import pdf_bytes, stored_files, workspace_open


@pytest.fixture
def workspace(owner, writer):
    """A delivered resume with the owner's own upload and a work history entry."""
    workspace = workspace_open(owner=owner, writer=writer)
    resume_file_upload(workspace=workspace, actor=owner, name="mine.txt", data=b"My old CV\n")
    questionnaire_step_save(
        workspace=workspace, step=1, answers={"target_job": "Data analyst", "industry": "Health"}
    )
    questionnaire_step_save(
        workspace=workspace,
        step=2,
        entries=[
            {
                "job_title": "Analyst",
                "employer": "Acme",
                "start_year": 2019,
                "end_year": None,
                "achievements": "Dashboards",
            }
        ],
    )
    questionnaire_step_save(workspace=workspace, step=4, answers={"skills": "SQL"})
    workspace = questionnaire_submit(workspace=workspace, actor=owner)
    draft = resume_draft_upload(workspace=workspace, writer=writer, name="d.pdf", data=pdf_bytes())
    return resume_approve(workspace=workspace, actor=owner, draft=draft)


@pytest.mark.django_db
def test_export_holds_the_answers_files_and_timeline(workspace, owner):
    data = personal_data.export(owner)

    json.dumps(data)
    [resume] = data["resumes"]
    assert resume["questionnaire"]["target_job"] == "Data analyst"
    assert resume["status"] == "Approved and delivered"
    assert resume["questionnaire"]["work_history"][0]["employer"] == "Acme"
    assert {f["kind"] for f in resume["files"]} == {"Draft", "Your current resume"}
    assert "Draft uploaded" in [event["what"] for event in resume["timeline"]]


@pytest.mark.django_db
def test_export_says_when_staff_looked_at_the_resume_but_not_who(
    workspace, owner, writer, privacy_officer
):
    from resumes.services import resume_staff_access_record

    upload = workspace.files.get(kind=ResumeFile.Kind.UPLOAD)
    resume_staff_access_record(staff=writer, workspace=workspace)
    resume_staff_access_record(staff=privacy_officer, workspace=workspace, file=upload)
    other = workspace_open(owner=writer)
    resume_staff_access_record(staff=privacy_officer, workspace=other)

    [resume] = personal_data.export(owner)["resumes"]

    views = resume["staff_views"]
    assert [view["action"] for view in views] == ["view resume", "download resume file"]
    assert "Your current resume" in views[1]["what"]
    assert writer.email not in json.dumps(views)
    assert privacy_officer.email not in json.dumps(views)


@pytest.mark.django_db
def test_export_files_are_the_stored_bytes(workspace, owner):
    files = dict(personal_data.export_files(owner))

    base = f"resumes/{workspace.public_id}"
    assert files[f"{base}/my-current-resume.txt"] == b"My old CV\n"
    assert files[f"{base}/resume-draft-1.pdf"].startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_deleted_while_the_export_reads_the_files_is_left_out(owner, monkeypatch):
    workspace = workspace_open(owner=owner)
    kept = resume_file_upload(workspace=workspace, actor=owner, name="a.txt", data=b"Kept\n")
    gone = resume_file_upload(workspace=workspace, actor=owner, name="b.txt", data=b"Gone\n")
    read = personal_data.private_file_read

    def deleted_first(*, name):
        if name == gone.storage_name:  # The owner deletes it just before it is read.
            resume_file_delete(file=gone, actor=owner)
        return read(name=name)

    monkeypatch.setattr(personal_data, "private_file_read", deleted_first)

    assert list(dict(personal_data.export_files(owner)).values()) == [b"Kept\n"]
    assert not private_storage().exists(gone.storage_name)
    assert private_storage().exists(kept.storage_name)


@pytest.mark.django_db
def test_an_upload_missing_from_storage_fails_the_export(owner):
    workspace = workspace_open(owner=owner)
    file = resume_file_upload(workspace=workspace, actor=owner, name="a.txt", data=b"CV\n")
    private_storage().delete(file.storage_name)

    with pytest.raises(FileNotFoundError):
        personal_data.export_files(owner)


@pytest.mark.django_db
def test_each_upload_has_its_own_name_in_the_export_and_in_data_json(owner):
    workspace = workspace_open(owner=owner)
    resume_file_upload(workspace=workspace, actor=owner, name="old.txt", data=b"Old CV\n")
    resume_file_upload(workspace=workspace, actor=owner, name="new.txt", data=b"New CV\n")

    files = dict(personal_data.export_files(owner))
    [resume] = personal_data.export(owner)["resumes"]

    base = f"resumes/{workspace.public_id}"
    named = {f["uploaded_as"]: f["name_in_download"] for f in resume["files"]}
    assert named == {
        "old.txt": f"{base}/my-current-resume.txt",
        "new.txt": f"{base}/my-current-resume-2.txt",
    }
    assert files == {named["old.txt"]: b"Old CV\n", named["new.txt"]: b"New CV\n"}


@pytest.mark.django_db
def test_export_of_someone_else_holds_nothing_of_this_resume(workspace, stranger):
    assert personal_data.export(stranger) == {"resumes": []}
    assert personal_data.export_files(stranger) == []


@pytest.mark.django_db
def test_erase_removes_the_files_from_storage_and_the_content(
    workspace, owner, private_storage, django_capture_on_commit_callbacks
):
    keep = workspace_open()  # someone else's work stays
    resume_file_upload(workspace=keep, actor=keep.owner, name="k.txt", data=b"Keep me\n")
    assert len(stored_files(private_storage)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase(owner)

    [left] = stored_files(private_storage)
    assert left.read_bytes() == b"Keep me\n"
    assert not ResumeWorkspace.objects.filter(owner=owner).exists()
    assert not Questionnaire.objects.filter(workspace__owner=owner).exists()
    assert not WorkEntry.objects.filter(questionnaire__workspace__owner=owner).exists()
    assert not ResumeFile.objects.filter(workspace__owner=owner).exists()
    assert not ResumeEvent.objects.filter(workspace__owner=owner).exists()
    assert ResumeWorkspace.objects.filter(pk=keep.pk).exists()


@pytest.mark.django_db
def test_files_stay_if_the_purge_rolls_back(workspace, private_storage):
    from django.db import transaction

    pk = workspace.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        resume_workspace_purge(workspace=workspace)
        raise RuntimeError("something later in the same transaction failed")

    assert len(stored_files(private_storage)) == 2
    assert ResumeWorkspace.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_the_disclosure_log_outlives_an_erased_resume(
    workspace, owner, django_capture_on_commit_callbacks
):
    consent_grant(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)
    resume_share(
        workspace=workspace, actor=owner, recipient_name="Acme", recipient_email="a@acme.example"
    )

    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase(owner)

    assert not DisclosureAuthorization.objects.exists()
    assert Disclosure.objects.get().recipient == "Acme <a@acme.example>"
    # The e-mail to the recipient named the owner; its stored copy says nothing now.
    from mail.models import OutboundMessage

    message = OutboundMessage.objects.get(to="a@acme.example")
    assert (message.subject, message.text, message.html) == ("", "", "")
    assert owner.get_full_name() not in str(OutboundMessage.objects.values())


@pytest.mark.django_db
def test_deleting_a_writers_account_keeps_the_customers_work(workspace, writer):
    writer.delete()

    workspace.refresh_from_db()
    assert workspace.writer is None
    assert workspace.files.filter(kind=ResumeFile.Kind.DRAFT, uploaded_by=None).count() == 1
    assert workspace.events.filter(action=ResumeEvent.Action.DRAFT_UPLOADED, actor=None).exists()
