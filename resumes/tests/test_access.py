"""P10: who may open a resume, for every resume URL and admin view; staff looks logged."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from privacy.models import StaffAccess
from resumes.models import DisclosureAuthorization, ResumeFile
from resumes.services import (
    questionnaire_step_save,
    questionnaire_submit,
    resume_approve,
    resume_draft_upload,
    resume_file_upload,
)
from resumes.tests.factories import drained, pdf_bytes, workspace_open

PERSONAS = [
    "owner",
    "writer",
    "other_writer",
    "support",
    "marketing",
    "privacy_officer",
    "stranger",
    "anonymous",
]
STAFF_WITH_CONTENT = {"writer", "privacy_officer"}
SECRET = "Cardiac nurse"


@pytest.fixture
def workspace(owner, writer):
    """A delivered resume with the owner's own upload, a draft, private answers and a
    recipient authorized."""
    workspace = workspace_open(owner=owner, writer=writer)
    resume_file_upload(workspace=workspace, actor=owner, name="old.txt", data=b"Old resume\n")
    questionnaire_step_save(
        workspace=workspace, step=1, answers={"target_job": SECRET, "industry": "Health"}
    )
    questionnaire_step_save(workspace=workspace, step=4, answers={"skills": "Triage"})
    workspace = questionnaire_submit(workspace=workspace, actor=owner)
    draft = resume_draft_upload(
        workspace=workspace, writer=writer, name="d.pdf", data=pdf_bytes("Draft one")
    )
    workspace = resume_approve(workspace=workspace, actor=owner, draft=draft)
    DisclosureAuthorization.objects.create(
        workspace=workspace, recipient_name="Acme", recipient_email="hr@acme.example"
    )
    return workspace


@pytest.fixture
def login(request, client):
    def as_persona(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return as_persona


def customer_urls(workspace):
    upload = workspace.files.get(kind=ResumeFile.Kind.UPLOAD)
    return {
        "workspace": reverse("resumes:workspace", args=[workspace.public_id]),
        "questionnaire": reverse("resumes:questionnaire", args=[workspace.public_id, 1]),
        "upload": reverse("resumes:upload", args=[workspace.public_id]),
        "file": reverse("resumes:file", args=[workspace.public_id, upload.public_id]),
        "file_delete": reverse("resumes:file_delete", args=[workspace.public_id, upload.public_id]),
        "final": reverse(
            "resumes:file", args=[workspace.public_id, workspace.final_file.public_id]
        ),
        "share": reverse("resumes:share", args=[workspace.public_id]),
        "share_revoke": reverse(
            "resumes:share_revoke",
            args=[workspace.public_id, workspace.authorizations.get().public_id],
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "page",
    [
        "workspace",
        "questionnaire",
        "upload",
        "file",
        "file_delete",
        "final",
        "share",
        "share_revoke",
    ],
)
def test_customer_pages_are_the_owners_alone(login, workspace, persona, page):
    client = login(persona)

    response = client.get(customer_urls(workspace)[page])
    content = drained(response)

    if persona == "owner":
        assert response.status_code == 200
        assert content
    elif persona == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    assert StaffAccess.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "list",
        "workspace",
        "questionnaire",
        "upload",
        "file_delete",
        "share",
        "share_revoke",
        "review",
    ],
)
def test_customer_pages_are_not_cached_by_browsers_or_proxies(login, workspace, owner, page):
    client = login("owner")

    if page == "list":
        workspace_open(owner=owner)  # With two, the list is shown, not the one workspace.
        response = client.get(reverse("resumes:list"))
    elif page == "review":
        # Shown again, with the reason the decision could not be taken.
        response = client.post(
            reverse("resumes:review", args=[workspace.public_id]),
            {"draft": workspace.final_file.public_id, "decision": "revise", "comment": "Later"},
        )
    else:
        response = client.get(customer_urls(workspace)[page])
    drained(response)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["workspace", "upload"])
def test_the_customer_is_told_who_else_can_see_their_resume(login, workspace, page):
    html = drained(login("owner").get(customer_urls(workspace)[page])).decode()

    assert "your writer" in html
    assert "our Privacy Officer" in html
    assert "that is logged" in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "owner"])
@pytest.mark.parametrize("action", ["review", "share_again", "share_revoke"])
def test_customer_actions_are_refused_to_everyone_else(login, workspace, persona, action):
    authorization = DisclosureAuthorization.objects.create(
        workspace=workspace, recipient_name="Acme", recipient_email="hr@acme.example"
    )
    args = [workspace.public_id]
    if action != "review":
        args.append(authorization.public_id)
    client = login(persona)

    response = client.post(reverse(f"resumes:{action}", args=args), {"decision": "approve"})

    assert response.status_code == (302 if persona == "anonymous" else 404)
    authorization.refresh_from_db()
    assert authorization.is_active
    assert not authorization.sends.exists()


def admin_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", "login"),
        ("writer", "listed"),
        ("other_writer", "not listed"),
        ("support", "listed"),
        ("marketing", 403),
        ("privacy_officer", "listed"),
        ("stranger", "login"),
        ("anonymous", "login"),
    ],
)
def test_admin_list_shows_each_role_only_what_it_may_see(login, workspace, persona, expected):
    client = login(persona)

    response = client.get(reverse("admin:resumes_resumeworkspace_changelist"))

    change_url = reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk])
    if expected == "login":
        assert admin_login_redirect(response)
    elif expected == 403:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert (change_url in response.content.decode()) == (expected == "listed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", "login"),
        ("writer", "content"),
        ("other_writer", 404),
        ("support", "workflow only"),
        ("marketing", 404),
        ("privacy_officer", "content"),
        ("stranger", "login"),
        ("anonymous", "login"),
    ],
)
def test_admin_change_page_shows_content_only_to_writer_and_privacy_officer(
    login, workspace, persona, expected
):
    client = login(persona)

    response = client.get(reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]))

    if expected == "login":
        assert admin_login_redirect(response)
        return
    if expected == 404:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (SECRET in html) == (expected == "content")
    assert ("Draft 1" in html) == (expected == "content")
    assert ('<dl class="resume-answers">' in html) == (expected == "content")
    assert "Delivered" in html  # the stage, in staff words


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        "questionnaire__target_job__icontains",
        "files__original_name__icontains",
        "final_file__sha256",
        "events__comment__icontains",
        "authorizations__recipient_email",
    ],
)
def test_support_cannot_search_resume_content_through_admin_lookups(login, workspace, lookup):
    # Support sees the workflow, never the content: filtering on it would reveal it.
    client = login("support")

    response = client.get(reverse("admin:resumes_resumeworkspace_changelist"), {lookup: "a"})

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_history_follows_the_same_rule(login, workspace, persona):
    client = login(persona)

    response = client.get(reverse("admin:resumes_resumeworkspace_history", args=[workspace.pk]))

    if persona in {"owner", "stranger", "anonymous"}:
        assert admin_login_redirect(response)
    elif persona in {"writer", "support", "privacy_officer"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_file_download_only_for_writer_and_privacy_officer(login, workspace, persona):
    client = login(persona)
    url = reverse(
        "admin:resumes_resumeworkspace_file",
        args=[workspace.pk, workspace.final_file.public_id],
    )

    response = client.get(url)

    if persona in {"owner", "stranger", "anonymous"}:
        assert admin_login_redirect(response)
    elif persona in STAFF_WITH_CONTENT:
        assert response.status_code == 200
        assert drained(response) == pdf_bytes("Draft one")
        assert response["Content-Disposition"] == 'attachment; filename="resume-draft-1.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_draft_upload_only_for_the_assigned_writer(login, workspace, persona):
    client = login(persona)

    response = client.get(reverse("admin:resumes_resumeworkspace_draft", args=[workspace.pk]))

    if persona in {"owner", "stranger", "anonymous"}:
        assert admin_login_redirect(response)
    elif persona == "writer":
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["writer", "privacy_officer"])
def test_each_staff_view_and_download_is_logged(login, workspace, persona, request):
    staff = request.getfixturevalue(persona)
    client = login(persona)
    final = workspace.final_file

    client.get(reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]))
    drained(
        client.get(
            reverse("admin:resumes_resumeworkspace_file", args=[workspace.pk, final.public_id])
        )
    )

    download, view = StaffAccess.objects.all()
    assert (view.staff, view.action, view.object_id) == (staff, "view resume", str(workspace.pk))
    assert view.content_type == ContentType.objects.get_for_model(workspace)
    assert (download.staff, download.action, download.object_id) == (
        staff,
        "download resume file",
        str(final.pk),
    )
    assert download.description == (
        f"Draft 1 (PDF) of Resume #{workspace.pk}, user #{workspace.owner_id}"
    )


@pytest.mark.django_db
def test_support_looking_at_the_workflow_opens_no_content_and_logs_nothing(login, workspace):
    login("support").get(reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]))

    assert StaffAccess.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("privacy_officer", 200), ("support", 403), ("writer", 403), ("marketing", 403)],
)
def test_only_privacy_officers_read_the_access_log(login, workspace, persona, status):
    response = login(persona).get(reverse("admin:privacy_staffaccess_changelist"))

    assert response.status_code == status


@pytest.mark.django_db
def test_nobody_can_edit_the_access_log(login, workspace, privacy_officer):
    client = login("privacy_officer")
    client.get(reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]))
    entry = StaffAccess.objects.get()

    response = client.post(
        reverse("admin:privacy_staffaccess_change", args=[entry.pk]), {"action": "nothing"}
    )

    assert response.status_code == 403
    assert StaffAccess.objects.get().action == "view resume"
    assert client.get(reverse("admin:privacy_staffaccess_add")).status_code == 403


@pytest.mark.django_db
def test_marketing_and_support_hold_no_content_permission():
    from accounts.roles import MARKETING, ROLE_PERMISSIONS, SUPPORT

    for role in (MARKETING, SUPPORT):
        assert "resumes.view_resume_content" not in ROLE_PERMISSIONS[role]
        assert "resumes.work_on_resume" not in ROLE_PERMISSIONS[role]
