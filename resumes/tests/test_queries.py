"""Query counts of the workspace page and the writer's admin list do not grow with data."""

import pytest
from django.urls import reverse

from consent.purposes import Purpose, Source
from consent.services import consent_grant
from resumes.selectors import resume_latest_draft
from resumes.services import (
    resume_approve,
    resume_draft_upload,
    resume_revision_request,
    resume_share,
)
from resumes.tests.factories import pdf_bytes, workspace_delivered, workspace_with_draft


@pytest.mark.django_db
@pytest.mark.parametrize("rounds", [1, 6])
def test_workspace_page_queries_do_not_grow(
    client, owner, writer, django_assert_num_queries, rounds
):
    workspace = workspace_with_draft(owner=owner, writer=writer)
    draft = resume_latest_draft(workspace=workspace)
    for n in range(rounds - 1):
        resume_revision_request(workspace=workspace, actor=owner, draft=draft, comment=f"Round {n}")
        draft = resume_draft_upload(
            workspace=workspace, writer=writer, name="d.pdf", data=pdf_bytes(f"Draft {n + 2}")
        )
        workspace = draft.workspace
    workspace = resume_approve(workspace=workspace, actor=owner, draft=draft)
    consent_grant(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)
    for n in range(rounds):
        resume_share(
            workspace=workspace,
            actor=owner,
            recipient_name=f"Recipient {n}",
            recipient_email=f"r{n}@example.com",
        )
    client.force_login(owner)

    # session, user, workspace (+entitlement, questionnaire, writer, final file, owner),
    # files (+uploader), authorizations, their sends (+disclosure, file), work entries,
    # education entries, events (+actor, file), consent subject, election, partner
    with django_assert_num_queries(12):
        response = client.get(reverse("resumes:workspace", args=[workspace.public_id]))
    assert response.status_code == 200
    assert response.content.decode().count("Recipient ") >= rounds


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 8])
def test_writer_admin_list_queries_do_not_grow(
    client, writer, other_writer, django_assert_num_queries, count
):
    for _ in range(count):
        workspace_delivered(writer=writer)
    workspace_delivered(writer=other_writer)  # not theirs: neither listed nor queried
    client.force_login(writer)

    # session, user, user permissions, group permissions, count of the writer's
    # workspaces, the page of rows (+owner, writer)
    with django_assert_num_queries(6):
        response = client.get(reverse("admin:resumes_resumeworkspace_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count("/change/") >= count
