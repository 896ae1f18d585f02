"""The writer workflow: assignment, drafts in the admin, review, revision, final; audited."""

import re

import pytest
from django.urls import reverse

from mail.models import OutboundMessage
from resumes.models import ResumeEvent, ResumeFile, ResumeWorkspace
from resumes.selectors import resume_latest_draft
from resumes.services import (
    ResumeActionRefused,
    resume_approve,
    resume_draft_upload,
    resume_revision_request,
    resume_writer_assign,
)
from resumes.tests.factories import (
    docx_bytes,
    docx_with_corrupt_part,
    pdf_bytes,
    stored_files,
    upload,
    workspace_open,
    workspace_submitted,
    workspace_with_draft,
)

Status = ResumeWorkspace.Status
Action = ResumeEvent.Action


def draft_url(workspace):
    return reverse("admin:resumes_resumeworkspace_draft", args=[workspace.pk])


def review(client, workspace, draft, **data):
    """The customer's decision on the review form of the page that showed this draft."""
    return client.post(
        reverse("resumes:review", args=[workspace.public_id]),
        {"draft": draft.public_id, **data},
        follow=True,
    )


@pytest.mark.django_db
def test_support_assigns_a_writer_in_the_admin(client, support, owner, writer):
    workspace = workspace_open(owner=owner)
    client.force_login(support)
    url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])

    response = client.post(url, {"writer": writer.pk})

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.writer == writer
    event = workspace.events.last()
    assert (event.action, event.actor) == (Action.WRITER_ASSIGNED, support)
    assert OutboundMessage.objects.filter(to=writer.email, subject__contains="assigned").exists()


@pytest.mark.django_db
def test_an_assignment_refused_as_it_is_saved_says_why_and_logs_nothing(
    client, support, owner, writer
):
    from unittest import mock

    from django.contrib.admin.models import LogEntry

    workspace = workspace_open(owner=owner)
    client.force_login(support)
    url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])
    # As when the order is refunded between showing the page and saving it.
    refused = ResumeActionRefused("Work on this resume has stopped: its order was refunded.")

    with mock.patch("resumes.admin.resume_writer_assign", side_effect=refused):
        response = client.post(url, {"writer": writer.pk}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [str(refused)]
    assert not LogEntry.objects.exists()
    workspace.refresh_from_db()
    assert workspace.writer is None


@pytest.mark.django_db
def test_only_members_of_the_writer_group_can_be_assigned(client, support, owner, marketing):
    workspace = workspace_open(owner=owner)
    client.force_login(support)
    url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])

    response = client.post(url, {"writer": marketing.pk})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.writer is None
    with pytest.raises(ResumeActionRefused):
        resume_writer_assign(workspace=workspace, writer=marketing, actor=support)


@pytest.mark.django_db
def test_the_writer_uploads_a_draft_in_the_admin_and_the_customer_is_emailed(
    client, owner, writer, private_storage
):
    workspace = workspace_submitted(owner=owner, writer=writer)
    client.force_login(writer)

    response = client.post(
        draft_url(workspace), {"file": upload("v1.docx", docx_bytes()), "note": "First go"}
    )

    assert response.status_code == 302
    draft = ResumeFile.objects.get(kind=ResumeFile.Kind.DRAFT)
    assert (draft.version, draft.format, draft.note, draft.uploaded_by) == (
        1,
        "docx",
        "First go",
        writer,
    )
    assert len(stored_files(private_storage)) == 1
    workspace.refresh_from_db()
    assert workspace.status == Status.DRAFT_READY
    mail = OutboundMessage.objects.get(to=owner.email)
    assert mail.subject == "Your draft is ready (draft 1)"
    assert reverse("resumes:workspace", args=[workspace.public_id]) in mail.text
    assert "v1.docx" not in mail.text


@pytest.mark.django_db
def test_the_same_draft_sent_twice_is_one_draft_and_one_email(
    client, owner, writer, private_storage
):
    workspace = workspace_submitted(owner=owner, writer=writer)
    client.force_login(writer)
    form = {"note": "First go"}

    client.post(draft_url(workspace), {**form, "file": upload("v1.docx", docx_bytes())})
    again = client.post(draft_url(workspace), {**form, "file": upload("v1.docx", docx_bytes())})

    assert again.status_code == 200
    assert "This file is draft 1 again, which the customer already has." in again.text
    assert ResumeFile.objects.filter(kind=ResumeFile.Kind.DRAFT).count() == 1
    assert len(stored_files(private_storage)) == 1
    assert OutboundMessage.objects.filter(to=owner.email).count() == 1
    # A changed file is the next draft.
    client.post(draft_url(workspace), {**form, "file": upload("v2.pdf", pdf_bytes("Two"))})
    assert resume_latest_draft(workspace=workspace).version == 2


@pytest.mark.django_db
def test_a_refused_draft_shows_the_reason_in_the_admin(client, owner, writer, private_storage):
    workspace = workspace_submitted(owner=owner, writer=writer)
    client.force_login(writer)

    response = client.post(draft_url(workspace), {"file": upload("v1.pdf", docx_bytes())})

    assert response.status_code == 200
    assert "but it is a Word (DOCX) document" in response.content.decode()
    assert stored_files(private_storage) == []
    workspace.refresh_from_db()
    assert workspace.status == Status.WRITING


@pytest.mark.django_db
def test_a_draft_with_a_corrupt_compressed_part_is_refused_in_the_admin_not_a_server_error(
    client, owner, writer, private_storage
):
    workspace = workspace_submitted(owner=owner, writer=writer)
    client.force_login(writer)
    client.raise_request_exception = False

    response = client.post(
        draft_url(workspace), {"file": upload("v1.docx", docx_with_corrupt_part(method=8))}
    )

    assert response.status_code == 200
    assert "This document is damaged. Save it again." in response.content.decode()
    assert stored_files(private_storage) == []


@pytest.mark.django_db
def test_no_draft_before_the_questionnaire_is_sent(owner, writer):
    workspace = workspace_open(owner=owner, writer=writer)

    with pytest.raises(ResumeActionRefused, match="not sent their questionnaire"):
        resume_draft_upload(workspace=workspace, writer=writer, name="a.pdf", data=pdf_bytes())


@pytest.mark.django_db
def test_only_the_assigned_writer_uploads_drafts(owner, writer, other_writer, privacy_officer):
    workspace = workspace_submitted(owner=owner, writer=writer)

    for someone in (other_writer, privacy_officer, owner):
        with pytest.raises(ResumeActionRefused):
            resume_draft_upload(workspace=workspace, writer=someone, name="a.pdf", data=pdf_bytes())
    assert not workspace.files.exists()


@pytest.mark.django_db
def test_the_customer_asks_for_a_revision_with_comments(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    response = review(
        client,
        workspace,
        resume_latest_draft(workspace=workspace),
        decision="revise",
        comment="Put education first.",
    )

    assert "Your writer has your comments and will revise." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.status == Status.REVISION_REQUESTED
    event = workspace.events.last()
    assert (event.action, event.comment, event.actor) == (
        Action.REVISION_REQUESTED,
        "Put education first.",
        owner,
    )
    assert event.file.version == 1
    assert OutboundMessage.objects.filter(to=writer.email, subject__contains="Revision").exists()


@pytest.mark.django_db
def test_a_revision_request_needs_a_comment(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    response = review(
        client,
        workspace,
        resume_latest_draft(workspace=workspace),
        decision="revise",
        comment=" ",
    )

    html = response.content.decode()
    # Beside the comment box, with a link to it from the top of the page.
    assert re.search(r'id="id_comment_error"><p>Tell your writer what to change.</p>', html)
    assert 'href="#review">Your review was not sent' in html
    workspace.refresh_from_db()
    assert workspace.status == Status.DRAFT_READY


@pytest.mark.django_db
def test_approving_delivers_the_latest_draft_as_the_final(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    first = resume_latest_draft(workspace=workspace)
    resume_revision_request(workspace=workspace, actor=owner, draft=first, comment="Shorter")
    second = resume_draft_upload(
        workspace=workspace, writer=writer, name="v2.pdf", data=pdf_bytes("v2")
    )
    client.force_login(owner)

    review(client, workspace, second, decision="approve")

    workspace.refresh_from_db()
    assert workspace.status == Status.DELIVERED
    assert workspace.final_file == second
    assert OutboundMessage.objects.filter(
        to=owner.email, subject="Your final resume is ready"
    ).exists()
    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()
    assert "Download your final resume" in html


@pytest.mark.django_db
def test_a_comment_written_before_approving_reaches_the_writer(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    review(
        client,
        workspace,
        resume_latest_draft(workspace=workspace),
        decision="approve",
        comment="Perfect, thank you. Could you also send a plain-text copy?",
    )

    approval = ResumeEvent.objects.get(workspace=workspace, action=ResumeEvent.Action.APPROVED)
    assert approval.comment == "Perfect, thank you. Could you also send a plain-text copy?"
    told = OutboundMessage.objects.get(to=writer.email, subject__endswith="approved")
    assert "with a comment for you" in told.text
    assert "plain-text copy" not in told.text


@pytest.mark.django_db
def test_the_review_form_names_the_draft_it_shows(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    draft = resume_latest_draft(workspace=workspace)
    assert f'name="draft" value="{draft.public_id}"' in html


@pytest.mark.django_db
def test_approving_a_draft_superseded_while_the_customer_read_it_is_refused(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    shown = resume_latest_draft(workspace=workspace)
    resume_draft_upload(workspace=workspace, writer=writer, name="v2.pdf", data=pdf_bytes("v2"))
    client.force_login(owner)

    response = review(client, workspace, shown, decision="approve")

    html = response.content.decode()
    assert "Your writer sent draft 2 after you opened this page, so nothing was approved." in html
    assert "Review draft 2" in html
    workspace.refresh_from_db()
    assert (workspace.status, workspace.final_file) == (Status.DRAFT_READY, None)
    assert not workspace.events.filter(action=Action.APPROVED).exists()


@pytest.mark.django_db
def test_a_revision_request_on_a_superseded_draft_is_refused(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    shown = resume_latest_draft(workspace=workspace)
    resume_draft_upload(workspace=workspace, writer=writer, name="v2.pdf", data=pdf_bytes("v2"))
    client.force_login(owner)

    response = review(client, workspace, shown, decision="revise", comment="Shorter")

    assert "so your comments were not sent" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.status == Status.DRAFT_READY
    assert not workspace.events.filter(action=Action.REVISION_REQUESTED).exists()


@pytest.mark.django_db
def test_comments_on_a_draft_superseded_meanwhile_are_kept_for_the_newer_draft(
    client, owner, writer
):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    shown = resume_latest_draft(workspace=workspace)
    client.force_login(owner)
    # The writer sends draft 2 while the customer is typing comments on draft 1.
    newer = resume_draft_upload(
        workspace=workspace, writer=writer, name="v2.pdf", data=pdf_bytes("v2")
    )
    comment = "Move my nursing licence to the top and drop the 2009 retail job. " * 5

    response = client.post(
        reverse("resumes:review", args=[workspace.public_id]),
        {"draft": shown.public_id, "comment": comment, "decision": "revise"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "so your comments were not sent" in html
    assert "Review draft 2" in html
    assert f'name="draft" value="{newer.public_id}"' in html
    assert f">\n{comment}</textarea>" in html, "the typed comment was thrown away"
    assert not workspace.events.filter(action=Action.REVISION_REQUESTED).exists()


@pytest.mark.django_db
def test_approving_twice_approves_once_and_says_so(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    client.force_login(owner)
    review(client, workspace, draft, decision="approve")

    response = review(client, workspace, draft, decision="approve")

    html = response.content.decode()
    assert "You approved draft 1 already: it is your final." in html
    assert "message-error" not in html
    assert workspace.events.filter(action=Action.APPROVED).count() == 1
    assert OutboundMessage.objects.filter(subject__contains="final resume").count() == 1


@pytest.mark.django_db
def test_asking_twice_for_the_same_revision_sends_the_comments_once_and_says_so(
    client, owner, writer
):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    client.force_login(owner)
    review(client, workspace, draft, decision="revise", comment="Shorter, please.")

    response = review(client, workspace, draft, decision="revise", comment=" Shorter, please.")

    html = response.content.decode()
    assert "Your writer has these comments on draft 1 already." in html
    assert "message-error" not in html
    assert workspace.events.filter(action=Action.REVISION_REQUESTED).count() == 1
    assert (
        OutboundMessage.objects.filter(to=writer.email, subject__contains="Revision").count() == 1
    )


@pytest.mark.django_db
def test_a_comment_sent_from_another_tab_after_the_draft_was_decided_is_shown_back(
    client, owner, writer
):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    client.force_login(owner)
    review(client, workspace, draft, decision="approve")
    comment = "Actually, could the summary mention my night-shift leadership?"

    response = review(client, workspace, draft, decision="revise", comment=comment)

    html = response.content.decode()
    assert "This resume is finished and delivered." in html
    assert "Your comment was not sent" in html
    assert comment in html, "the typed comment was thrown away"
    assert not workspace.events.filter(action=Action.REVISION_REQUESTED).exists()


@pytest.mark.django_db
def test_a_comment_too_long_comes_back_to_be_shortened(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    client.force_login(owner)
    comment = "x" * 6001

    response = client.post(
        reverse("resumes:review", args=[workspace.public_id]),
        {"draft": draft.public_id, "comment": comment, "decision": "revise"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your comment is too long; please shorten it." in html
    assert f">\n{comment}</textarea>" in html, "the typed comment was thrown away"
    workspace.refresh_from_db()
    assert workspace.status == Status.DRAFT_READY


@pytest.mark.django_db
def test_a_decision_from_a_page_without_the_draft_is_refused(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    response = client.post(
        reverse("resumes:review", args=[workspace.public_id]),
        {"decision": "approve", "comment": "Lovely."},
        follow=True,
    )

    html = response.content.decode()
    assert "This page was out of date." in html
    assert ">\nLovely.</textarea>" in html
    workspace.refresh_from_db()
    assert workspace.status == Status.DRAFT_READY


@pytest.mark.django_db
def test_every_transition_is_in_the_timeline_in_order(owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    first = resume_latest_draft(workspace=workspace)
    resume_revision_request(workspace=workspace, actor=owner, draft=first, comment="Shorter")
    second = resume_draft_upload(
        workspace=workspace, writer=writer, name="v2.pdf", data=pdf_bytes()
    )
    resume_approve(workspace=workspace, actor=owner, draft=second)

    trail = list(workspace.events.values_list("action", "status_after"))

    assert trail == [
        (Action.OPENED, Status.QUESTIONNAIRE),
        (Action.WRITER_ASSIGNED, Status.QUESTIONNAIRE),
        (Action.QUESTIONNAIRE_SENT, Status.WRITING),
        (Action.DRAFT_UPLOADED, Status.DRAFT_READY),
        (Action.REVISION_REQUESTED, Status.REVISION_REQUESTED),
        (Action.DRAFT_UPLOADED, Status.DRAFT_READY),
        (Action.APPROVED, Status.DELIVERED),
    ]


@pytest.mark.django_db
def test_the_audit_trail_cannot_be_edited_or_deleted(owner):
    event = workspace_open(owner=owner).events.get()

    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ResumeEvent.objects.update(comment="changed")
    with pytest.raises(TypeError):
        ResumeEvent.objects.all().delete()


@pytest.mark.django_db
def test_nothing_can_be_approved_or_revised_without_a_draft_waiting(owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    resume_revision_request(workspace=workspace, actor=owner, draft=draft, comment="Shorter")

    with pytest.raises(ResumeActionRefused, match="no draft waiting"):
        resume_approve(workspace=workspace, actor=owner, draft=draft)
    with pytest.raises(ResumeActionRefused, match="no draft waiting"):
        resume_revision_request(workspace=workspace, actor=owner, draft=draft, comment="x")


@pytest.mark.django_db
def test_a_delivered_resume_takes_no_more_changes(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    resume_approve(workspace=workspace, actor=owner, draft=resume_latest_draft(workspace=workspace))
    workspace.refresh_from_db()

    with pytest.raises(ResumeActionRefused):
        resume_draft_upload(workspace=workspace, writer=writer, name="a.pdf", data=pdf_bytes())
    client.force_login(owner)
    response = client.post(
        reverse("resumes:upload", args=[workspace.public_id]),
        {"file": upload("cv.pdf", pdf_bytes())},
        follow=True,
    )
    assert "This resume is finished and delivered." in response.content.decode()
    assert not workspace.files.filter(kind=ResumeFile.Kind.UPLOAD).exists()


@pytest.mark.django_db
def test_the_customer_sees_the_timeline_and_writer_notes(client, owner, writer):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    client.force_login(owner)

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert "Draft uploaded" in html
    assert "Questionnaire sent to the writer" in html
    assert "Your writer: Wendy Writer." in html
    assert 'name="decision" value="approve"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["writer", "privacy_officer"])
def test_only_support_can_change_the_assignment(client, request, owner, writer, persona):
    other = request.getfixturevalue("other_writer")
    workspace = workspace_open(owner=owner, writer=writer)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]), {"writer": other.pk}
    )

    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.writer == writer


def refunded(workspace):
    from orders.models import OrderEvent
    from orders.services import order_refund

    order = workspace.entitlement.order_line.order
    order_refund(order=order, source=OrderEvent.Source.STAFF, reason="Asked", at_provider=False)
    workspace.refresh_from_db()
    return workspace


@pytest.mark.django_db
def test_a_refund_takes_the_writer_off_the_resume_and_tells_them(client, owner, writer):
    workspace = refunded(workspace_submitted(owner=owner, writer=writer))

    assert workspace.writer is None
    assert workspace.events.last().comment == "No writer: the order was refunded"
    assert OutboundMessage.objects.filter(to=writer.email, subject__contains="no longer").exists()
    client.force_login(writer)
    url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_refunded_resume_cannot_be_given_to_a_writer(client, support, owner, writer):
    workspace = refunded(workspace_submitted(owner=owner))
    client.force_login(support)
    url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])

    page = client.get(url).content.decode()
    client.post(url, {"writer": writer.pk})

    assert 'name="writer"' not in page
    workspace.refresh_from_db()
    assert workspace.writer is None
    with pytest.raises(ResumeActionRefused, match="work on it has stopped"):
        resume_writer_assign(workspace=workspace, writer=writer, actor=support)


@pytest.mark.django_db
def test_the_migration_takes_writers_off_resumes_refunded_before_refunds_did(owner, writer):
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from orders.models import Entitlement

    migration = import_module("resumes.migrations.0003_release_writers_of_refunded_orders")
    refunded_earlier = workspace_submitted(owner=owner, writer=writer)
    Entitlement.objects.filter(pk=refunded_earlier.entitlement_id).update(revoked_at=timezone.now())
    paid = workspace_submitted(writer=writer)

    migration.release(apps, None)

    refunded_earlier.refresh_from_db()
    paid.refresh_from_db()
    assert (refunded_earlier.writer, paid.writer) == (None, writer)
    assert refunded_earlier.events.last().comment == "No writer: the order was refunded"
