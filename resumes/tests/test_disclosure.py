"""P7/P10: a resume leaves only to recipients its owner authorized, while the
resume_disclosure election is granted; every sending is a disclosure record."""

import time

import pytest
from django.urls import reverse

from consent.purposes import Purpose, Source
from consent.services import consent_grant, consent_withdraw, subject_find
from mail.models import OutboundMessage
from privacy.models import Disclosure
from resumes.models import DisclosureAuthorization, ResumeEvent, ResumeSend
from resumes.services import (
    SHARE_REPEAT_WINDOW,
    ResumeActionRefused,
    resume_authorization_revoke,
    resume_send,
    resume_share,
)
from resumes.tests.factories import (
    drained,
    pdf_bytes,
    workspace_delivered,
    workspace_with_draft,
)


@pytest.fixture
def workspace(owner, writer):
    return workspace_delivered(owner=owner, writer=writer)


@pytest.fixture
def allowed(owner):
    consent_grant(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)


def share(workspace, **kwargs):
    send, _ = resume_share(
        workspace=workspace,
        actor=workspace.owner,
        recipient_name=kwargs.get("name", "Acme hiring team"),
        recipient_email=kwargs.get("email", "jobs@acme.example"),
    )
    return send


def share_link(send) -> str:
    return send.message.text.split("http://127.0.0.1:8000", 1)[1].split()[0]


@pytest.mark.django_db
def test_sending_needs_the_resume_disclosure_election(workspace):
    with pytest.raises(ResumeActionRefused, match="switched off"):
        share(workspace)

    assert not Disclosure.objects.exists()
    assert not DisclosureAuthorization.objects.exists()
    assert not OutboundMessage.objects.filter(to="jobs@acme.example").exists()


@pytest.mark.django_db
def test_an_authorized_send_is_recorded_as_a_disclosure_of_the_owner(workspace, owner, allowed):
    send = share(workspace)

    disclosure = Disclosure.objects.get()
    assert send.disclosure == disclosure
    assert disclosure.basis == Disclosure.Basis.AUTHORIZATION
    assert disclosure.recipient == "Acme hiring team <jobs@acme.example>"
    assert disclosure.data_categories == ["resume (final document)"]
    assert list(disclosure.subjects.all()) == [subject_find(user=owner)]
    assert disclosure.recorded_by == owner
    assert disclosure.shown_to_subject
    assert send.file == workspace.final_file
    assert OutboundMessage.objects.filter(to="jobs@acme.example").count() == 1
    actions = list(workspace.events.values_list("action", flat=True))[-2:]
    assert actions == [ResumeEvent.Action.SHARING_AUTHORIZED, ResumeEvent.Action.SENT_TO_RECIPIENT]


@pytest.mark.django_db
def test_the_recipient_downloads_the_final_through_their_link(client, workspace, allowed):
    send = share(workspace)

    response = client.get(share_link(send))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("Draft one")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_recipient_address_longer_than_we_can_store_is_refused_clearly(
    client, workspace, allowed
):
    client.force_login(workspace.owner)

    response = client.post(
        reverse("resumes:share", args=[workspace.public_id]),
        {
            "recipient_name": "Acme",
            "recipient_email": "x" * 250 + "@acme.example",
            "authorize": "on",
        },
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert not DisclosureAuthorization.objects.exists()


@pytest.mark.django_db
def test_the_longest_recipient_the_form_takes_is_recorded_in_full(workspace, allowed):
    name = "N" * 150
    email = "x" * 64 + "@" + ".".join(["y" * 61] * 3) + ".com"

    send = share(workspace, name=name, email=email)

    recorded = Disclosure.objects.get(pk=send.disclosure_id).recipient
    assert recorded == f"{name} <{email}>"
    # SQLite would keep a longer value than the column allows; PostgreSQL refuses it.
    assert len(recorded) <= Disclosure._meta.get_field("recipient").max_length


@pytest.mark.django_db
def test_nothing_is_sent_without_an_authorization_for_that_recipient(client, workspace, allowed):
    share(workspace)
    forged = reverse("resumes:shared_file", args=["1:forged:signature"])

    assert client.get(forged).status_code == 404
    assert ResumeSend.objects.count() == 1
    # The only way to send is through an authorization, and an authorization belongs to
    # one workspace: another owner's cannot be used here.
    other = workspace_delivered(writer=workspace.writer)
    consent_grant(user=other.owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)
    foreign = DisclosureAuthorization.objects.get()
    with pytest.raises(ResumeActionRefused, match="owner"):
        resume_send(authorization=foreign, actor=other.owner)


@pytest.mark.django_db
def test_after_revocation_no_further_disclosure_to_that_recipient(client, workspace, allowed):
    send = share(workspace)
    link = share_link(send)

    resume_authorization_revoke(authorization=send.authorization, actor=workspace.owner)

    with pytest.raises(ResumeActionRefused, match="revoked"):
        resume_send(authorization=send.authorization, actor=workspace.owner)
    assert client.get(link).status_code == 404
    assert Disclosure.objects.count() == 1
    assert workspace.events.last().action == ResumeEvent.Action.SHARING_REVOKED


@pytest.mark.django_db
def test_withdrawing_the_election_stops_sends_and_links(client, workspace, owner, allowed):
    send = share(workspace)
    link = share_link(send)

    consent_withdraw(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)

    with pytest.raises(ResumeActionRefused, match="switched off"):
        resume_send(authorization=send.authorization, actor=owner)
    assert client.get(link).status_code == 404
    assert Disclosure.objects.count() == 1


@pytest.mark.django_db
def test_granting_the_election_again_revives_no_link_sent_before_the_withdrawal(
    client, workspace, owner, allowed
):
    old_link = share_link(share(workspace))
    consent_withdraw(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)
    # Weeks later the owner switches sharing on again, to send to someone else.
    consent_grant(user=owner, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)

    response = client.get(old_link)
    drained(response)
    assert response.status_code == 404, "the old recipient's link works again"

    new_link = share_link(share(workspace, name="Globex", email="talent@globex.example"))
    response = client.get(new_link)
    assert drained(response) == pdf_bytes("Draft one")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_link_stops_working_after_the_set_number_of_days(
    client, workspace, allowed, settings, monkeypatch
):
    settings.RESUME_SHARE_LINK_DAYS = 14
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - 15 * 24 * 3600)
        send = share(workspace)

    assert client.get(share_link(send)).status_code == 404


@pytest.mark.django_db
def test_a_cover_letter_is_sent_as_a_cover_letter_not_a_resume(client, owner, writer, allowed):
    from orders.models import Entitlement

    workspace = workspace_delivered(owner=owner, writer=writer, kind=Entitlement.Kind.COVER_LETTER)
    client.force_login(owner)

    form = client.get(reverse("resumes:share", args=[workspace.public_id])).content.decode()
    send = share(workspace)

    assert "send my final cover letter to this recipient" in form
    assert send.message.subject == "Olive Owner sent you their cover letter"
    assert "to send you their cover letter." in send.message.text


@pytest.mark.django_db
def test_only_a_delivered_final_can_be_sent(owner, writer, allowed):
    workspace = workspace_with_draft(owner=owner, writer=writer)

    with pytest.raises(ResumeActionRefused, match="approved a final"):
        share(workspace)
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_the_share_form_requires_the_authorization_tick(client, workspace, owner, allowed):
    client.force_login(owner)

    response = client.post(
        reverse("resumes:share", args=[workspace.public_id]),
        {"recipient_name": "Acme", "recipient_email": "jobs@acme.example"},
    )

    assert "Tick the box to authorize sending to this recipient." in response.content.decode()
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_the_share_page_explains_how_to_switch_sending_on(client, workspace, owner):
    client.force_login(owner)

    html = client.get(reverse("resumes:share", args=[workspace.public_id])).content.decode()

    assert "Sending is switched off." in html
    assert f'href="{reverse("accounts:privacy")}"' in html
    assert 'name="recipient_email"' not in html


@pytest.mark.django_db
def test_the_owner_authorizes_sends_again_and_revokes_from_the_workspace(
    client, workspace, owner, allowed
):
    client.force_login(owner)
    client.post(
        reverse("resumes:share", args=[workspace.public_id]),
        {"recipient_name": "Acme", "recipient_email": "jobs@acme.example", "authorize": "on"},
    )
    authorization = DisclosureAuthorization.objects.get()
    args = [workspace.public_id, authorization.public_id]

    client.post(reverse("resumes:share_again", args=args))
    client.post(reverse("resumes:share_revoke", args=args))
    response = client.post(reverse("resumes:share_again", args=args), follow=True)

    assert Disclosure.objects.count() == 2
    assert "You revoked sending to Acme; nothing was sent." in response.content.decode()
    authorization.refresh_from_db()
    assert not authorization.is_active


@pytest.mark.django_db
def test_a_double_submitted_share_form_sends_once(client, workspace, owner, allowed):
    client.force_login(owner)
    url = reverse("resumes:share", args=[workspace.public_id])
    data = {"recipient_name": "Acme", "recipient_email": "jobs@acme.example", "authorize": "on"}

    client.post(url, data)
    response = client.post(url, data, follow=True)  # a double click, or a resent form

    assert "You sent it to Acme a few minutes ago, so it was not sent again." in (
        response.content.decode()
    )
    assert DisclosureAuthorization.objects.count() == 1
    assert ResumeSend.objects.count() == 1
    assert Disclosure.objects.count() == 1
    assert OutboundMessage.objects.filter(to="jobs@acme.example").count() == 1


@pytest.mark.django_db
def test_sharing_to_the_same_address_soon_after_returns_the_first_send(workspace, allowed):
    first = share(workspace, email="jobs@acme.example")

    send, sent_now = resume_share(
        workspace=workspace,
        actor=workspace.owner,
        recipient_name="Acme hiring team",
        recipient_email="Jobs@ACME.example",
    )

    assert (send, sent_now) == (first, False)
    assert Disclosure.objects.count() == 1
    assert workspace.events.filter(action=ResumeEvent.Action.SHARING_AUTHORIZED).count() == 1


@pytest.mark.django_db
def test_sharing_to_the_same_address_later_or_after_revoking_sends_again(workspace, allowed):
    first = share(workspace)
    resume_authorization_revoke(authorization=first.authorization, actor=workspace.owner)
    second = share(workspace)
    DisclosureAuthorization.objects.filter(pk=second.authorization_id).update(
        created_at=second.authorization.created_at - SHARE_REPEAT_WINDOW
    )

    third = share(workspace)

    assert len({first.authorization_id, second.authorization_id, third.authorization_id}) == 3
    assert Disclosure.objects.count() == 3
    assert OutboundMessage.objects.filter(to="jobs@acme.example").count() == 3


@pytest.mark.django_db
def test_the_workspace_lists_every_disclosure_of_the_resume(client, workspace, owner, allowed):
    share(workspace, name="Acme", email="jobs@acme.example")
    share(workspace, name="Globex", email="talent@globex.example")
    client.force_login(owner)

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert "Acme &lt;jobs@acme.example&gt;" in html
    assert "Globex &lt;talent@globex.example&gt;" in html
    assert html.count("The person&#x27;s authorization") == 2
    assert "It has never been sent to anyone." not in html


@pytest.mark.django_db
def test_disclosures_carry_the_owner_so_my_privacy_can_list_them(workspace, owner, allowed):
    share(workspace)

    mine = Disclosure.objects.filter(subjects__user=owner, shown_to_subject=True)

    assert mine.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Ann\u2028Lee", "Ann\x0bLee", "Ann\r\nLee"])
def test_a_line_break_in_the_owners_name_does_not_stop_the_resume_reaching_its_recipient(
    workspace, owner, allowed, name, mailoutbox, django_capture_on_commit_callbacks
):
    # The name goes into the subject, where a line break is refused by the mail library:
    # every try failed, while the owner was told it was sent.
    owner.name = name
    owner.save(update_fields=["name"])

    with django_capture_on_commit_callbacks(execute=True):
        send = share(workspace)

    send.message.refresh_from_db()
    assert send.message.status == OutboundMessage.Status.SENT
    assert mailoutbox[-1].subject == "Ann Lee sent you their resume"


@pytest.mark.django_db
def test_an_owner_who_sent_their_resume_can_still_erase_their_account(workspace, owner, allowed):
    from accounts.services import account_erase

    disclosure = share(workspace).disclosure

    account_erase(user=owner)

    # The company's record of what left stays, without the person.
    assert Disclosure.objects.get(pk=disclosure.pk).recorded_by is None


@pytest.fixture
def authorized(client, workspace, owner, allowed):
    share(workspace, name="Acme", email="jobs@acme.example")
    client.force_login(owner)
    authorization = DisclosureAuthorization.objects.get()
    return reverse("resumes:share_revoke", args=[workspace.public_id, authorization.public_id])


@pytest.mark.django_db
def test_revoke_on_the_workspace_asks_first_on_a_page_of_its_own(client, workspace, authorized):
    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert f'<a href="{authorized}">Revoke…' in html
    assert f'action="{authorized}"' not in html


@pytest.mark.django_db
def test_asking_to_revoke_says_the_links_stop_working_and_revokes_nothing(
    client, workspace, authorized
):
    send = ResumeSend.objects.get()

    response = client.get(authorized)

    html = response.content.decode()
    assert "Revoke sending your resume to Acme?" in html
    assert "every\n      link we e-mailed them stops working at once" in html
    assert "This cannot be undone." in html
    workspace_url = reverse("resumes:workspace", args=[workspace.public_id])
    assert f'<a href="{workspace_url}">Keep sending allowed</a>' in html
    assert DisclosureAuthorization.objects.get().is_active
    download = client.get(share_link(send))
    assert drained(download) and download.status_code == 200


@pytest.mark.django_db
def test_the_post_from_the_question_revokes_and_the_link_stops_working(
    client, workspace, authorized
):
    send = ResumeSend.objects.get()

    response = client.post(authorized, follow=True)

    assert "Revoked. Nothing more goes to Acme" in response.content.decode()
    assert not DisclosureAuthorization.objects.get().is_active
    assert client.get(share_link(send)).status_code == 404


@pytest.mark.django_db
def test_asking_to_revoke_again_says_it_is_revoked_already(client, workspace, authorized):
    client.post(authorized)

    response = client.get(authorized, follow=True)

    assert response.redirect_chain == [
        (reverse("resumes:workspace", args=[workspace.public_id]), 302)
    ]
    assert "Sending to Acme is revoked already." in response.content.decode()
    assert workspace.events.filter(action=ResumeEvent.Action.SHARING_REVOKED).count() == 1
