"""End to end in a real browser: questionnaire → upload → the writer uploads a draft in
the admin → the customer asks for a revision → the writer uploads the final → approved."""

import re

import pytest
from django.urls import reverse

from accounts.roles import RESUME_WRITER
from accounts.tests.factories import PASSWORD, UserFactory
from mail.models import OutboundMessage
from privacy.models import StaffAccess
from resumes.models import ResumeWorkspace
from resumes.services import resume_writer_assign
from resumes.tests.factories import docx_bytes, pdf_bytes, staff_member, workspace_open


def sign_in(page, url, email):
    page.goto(url)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Sign In|Log in)$", re.I)).click()


@pytest.mark.browser
def test_questionnaire_upload_draft_revision_final_and_approval(page, live_server, tmp_path):
    owner = UserFactory(email="olive@example.com", name="Olive Owner")
    writer = staff_member(RESUME_WRITER, email="wendy@example.com", name="Wendy Writer")
    workspace = resume_writer_assign(
        workspace=workspace_open(owner=owner), writer=writer, actor=None
    )
    (tmp_path / "my-cv.pdf").write_bytes(pdf_bytes("Olive's old resume"))
    (tmp_path / "draft-1.docx").write_bytes(docx_bytes())
    (tmp_path / "final.pdf").write_bytes(pdf_bytes("Olive's final resume"))

    # The customer fills in the questionnaire, step by step.
    sign_in(page, live_server.url + reverse("account_login"), owner.email)
    page.wait_for_url(re.compile(r"/account/privacy/$"))
    page.goto(live_server.url + reverse("resumes:list"))
    page.get_by_role("link", name="Start the questionnaire").click()
    page.get_by_label("The job you are aiming for").fill("Cardiac nurse")
    page.get_by_label("Industry").fill("Healthcare")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Step 2 of 5: Work history").wait_for()
    page.get_by_label("Job title").fill("Staff nurse")
    page.get_by_label("Employer").fill("City Hospital")
    page.get_by_label("Started (year)").fill("2017")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Step 3 of 5: Education").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Your skills").fill("Triage\nECG")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Anything else your writer should know").fill("Keep it to one page.")
    page.get_by_role("button", name="Save and send to my writer").click()
    page.get_by_text("Your questionnaire is with your writer now.").wait_for()

    # …and uploads the resume they have.
    page.get_by_role("link", name="Upload a resume").click()
    page.get_by_label("Your current resume").set_input_files(tmp_path / "my-cv.pdf")
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Your resume is uploaded.").wait_for()
    assert page.get_by_role("link", name="my-cv.pdf", exact=True).count() == 1

    # The writer uploads a first draft in the admin.
    writer_page = page.context.browser.new_context().new_page()
    writer_page.set_default_timeout(15_000)
    admin_change = live_server.url + reverse(
        "admin:resumes_resumeworkspace_change", args=[workspace.pk]
    )
    sign_in(writer_page, admin_change, writer.email)
    writer_page.wait_for_url(admin_change)
    assert writer_page.get_by_text("Cardiac nurse").count() == 1

    def upload_draft(path, note):
        writer_page.goto(admin_change)
        writer_page.get_by_role("link", name="Upload a draft").click()
        writer_page.get_by_label("Draft").set_input_files(path)
        writer_page.get_by_label("Note to the customer").fill(note)
        writer_page.get_by_role("button", name="Upload draft").click()
        writer_page.get_by_text("the customer has been e-mailed").wait_for()

    upload_draft(tmp_path / "draft-1.docx", "A first go.")
    assert OutboundMessage.objects.filter(
        to=owner.email, subject="Your draft is ready (draft 1)"
    ).exists()

    # The customer asks for a revision.
    page.reload()
    page.get_by_text("Draft ready for your review").wait_for()
    page.get_by_label("What should your writer change?").fill("Put the ECG skill first.")
    page.get_by_role("button", name="Ask for a revision").click()
    page.get_by_text("Your writer has your comments and will revise.").wait_for()

    # The writer reads the comment and uploads the final.
    writer_page.goto(admin_change)
    writer_page.get_by_text("Put the ECG skill first.").wait_for()
    upload_draft(tmp_path / "final.pdf", "Final, with ECG first.")

    # The customer approves it: delivered.
    page.reload()
    page.get_by_text("Final, with ECG first.").wait_for()
    page.get_by_role("button", name="Approve this draft").click()
    page.get_by_text("Approved. Your final is ready to download.").wait_for()
    assert page.get_by_text("Approved and delivered").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your final resume").click()
    assert download.value.suggested_filename == "resume-draft-2.pdf"
    assert download.value.path().read_bytes() == pdf_bytes("Olive's final resume")

    workspace.refresh_from_db()
    assert workspace.status == ResumeWorkspace.Status.DELIVERED
    assert workspace.final_file.version == 2
    assert workspace.questionnaire.work_entries.get().employer == "City Hospital"
    assert StaffAccess.objects.filter(staff=writer, action="view resume").count() >= 3
    writer_page.context.close()


@pytest.mark.browser
def test_what_was_typed_after_the_session_ended_is_sent_after_signing_in(page, live_server):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    owner = UserFactory(email="olive@example.com")
    workspace = workspace_open(owner=owner)
    sign_in(page, live_server.url + reverse("account_login"), owner.email)
    page.wait_for_url(re.compile(r"/account/privacy/$"))
    step_url = live_server.url + reverse("resumes:questionnaire", args=[workspace.public_id, 4])
    page.goto(step_url)
    page.get_by_label("Your skills").fill('Triage\nECG & telemetry\n"Calm" under <pressure>')
    Session.objects.update(expire_date=timezone.now())  # Left open too long.
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_text("Your form was not sent: you had been signed out.").wait_for()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("E-mail address").fill(owner.email)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.wait_for_url(step_url)
    page.get_by_role("heading", name="Your form was not sent").wait_for()
    page.get_by_role("button", name="Send it now").click()
    page.get_by_role("heading", name="Step 5 of 5: Notes to your writer").wait_for()

    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.skills.splitlines() == [
        "Triage",
        "ECG & telemetry",
        '"Calm" under <pressure>',
    ]
