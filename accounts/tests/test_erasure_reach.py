"""What "download my data" and "delete my account" reach beyond the account itself:
other addresses of the person, the ASCII form of an international address, mail
not sent yet, the admin's history, "remove" e-mails, files on disk."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.personal_data_registry import personal_data_modules
from accounts.services import account_erase
from accounts.tests.factories import UserFactory
from consent.models import Subject, email_digest
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant
from feedback.services import feedback_submit
from mail.models import InboundMessage, OutboundMessage
from mail.services import email_queue, email_send, inbound_message_process, removal_undo
from mail.tests.factories import raw_email
from orders.tests.factories import ProductFactory, placed_order
from privacy.models import Disclosure, FileDeletion
from privacy.services import disclosure_record_for_addresses


def export(user) -> dict:
    return {m.label: m.export(user) for m in personal_data_modules()}


# Disclosures about any verified address of the person are theirs to see.
@pytest.mark.django_db
def test_disclosure_about_a_verified_secondary_address_is_exported():
    alice = UserFactory(email="alice@example.com")
    EmailAddress.objects.create(user=alice, email="alice.work@example.com", verified=True)
    disclosure_record_for_addresses(
        emails=["alice.work@example.com"],
        recipient="County court",
        data_categories=["name"],
        basis=Disclosure.Basis.LEGAL_REQUIREMENT,
    )

    recipients = [d["recipient"] for d in export(alice)["privacy"]["disclosures"]]

    assert recipients == ["County court"]


# An international address may be on record in its Unicode or its ASCII form.
IDN_ACCOUNT = "alice@bücher.example"
IDN_ASCII = "alice@xn--bcher-kva.example"


@pytest.mark.django_db
def test_guest_order_under_the_idn_form_of_the_address_is_exported_and_anonymised():
    alice = UserFactory(email=IDN_ACCOUNT)
    order = placed_order(ProductFactory(), email=IDN_ASCII, name="Alice Avery", phone="0113 1")

    assert [o["email"] for o in export(alice)["orders"]["orders"]] == [IDN_ASCII]
    account_erase(user=alice)
    order.refresh_from_db()
    assert (order.name, order.email, order.phone) == ("", "", "")


@pytest.mark.django_db
def test_guest_feedback_under_the_idn_form_of_the_address_is_erased():
    alice = UserFactory(email=IDN_ACCOUNT)
    feedback = feedback_submit(user=None, name="Alice Avery", email=IDN_ASCII, body="Great.")

    account_erase(user=alice)

    feedback.refresh_from_db()
    assert (feedback.name, feedback.email) == ("", "")


# Mail to the person not sent yet is not sent at all.
@pytest.mark.django_db
def test_outgoing_mail_not_yet_sent_is_withdrawn_on_erasure(mailoutbox):
    alice = UserFactory(email="alice@example.com")
    message = email_queue(to="alice@example.com", subject="Your receipt", text="Hi Alice")

    account_erase(user=alice)
    message.refresh_from_db()

    assert message.status == OutboundMessage.Status.WITHDRAWN
    assert email_send(message_id=message.pk) is False
    assert mailoutbox == []


# The admin's history of staff changes to the account keeps no address of theirs.
@pytest.mark.django_db
def test_admin_log_keeps_no_address_after_erasure(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    alice = UserFactory(email="alice@example.com", name="Alice Avery")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_change", args=[alice.pk]),
        {
            "email": "alice@example.com",
            "name": "Alice B. Avery",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LogEntry.objects.filter(object_repr="alice@example.com").exists()

    account_erase(user=alice)

    assert not LogEntry.objects.filter(object_repr__icontains="alice").exists()


def removed_from_an_address_taken_off_since():
    """Alice opted in; a "remove" came from her second address, which she has since
    taken off her account; then she erased the account."""
    alice = UserFactory(email="alice@example.com")
    old = EmailAddress.objects.create(user=alice, email="alice.old@example.com", verified=True)
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    inbound = inbound_message_process(
        raw=raw_email(sender="alice.old@example.com"), source=InboundMessage.Source.FILE
    )
    assert any(item["email"] == "alice@example.com" for item in inbound.withdrawn)
    old.delete()
    account_erase(user=alice)
    inbound.refresh_from_db()
    return inbound


# A "remove" sent from an address the person later took off their account names
# the account among what it stopped: erasure takes that out too...
@pytest.mark.django_db
def test_remove_mail_keeps_no_trace_of_the_account_it_withdrew():
    inbound = removed_from_an_address_taken_off_since()

    assert "alice@example.com" not in repr(inbound.withdrawn)


# ...and its "this wasn't me" link (sent to the old address) restores nothing of an
# erased account: the suppression stays.
@pytest.mark.django_db
def test_undo_link_after_erasure_does_not_resubscribe_the_erased_address():
    inbound = removed_from_an_address_taken_off_since()

    removal_undo(inbound=inbound)

    assert not consent_is_granted(email="alice@example.com", purpose=Purpose.MARKETING)
    assert Subject.objects.get(email_digest=email_digest("alice@example.com")).email is None


@pytest.mark.django_db
def test_a_file_the_storage_refuses_to_delete_does_not_keep_the_others_on_disk(
    settings, tmp_path, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from careerperfect import private_files
    from careerperfect.tests.belongings import private_storage_in
    from resumes.services import resume_file_upload
    from resumes.tests.factories import workspace_open

    private_storage_in(settings, tmp_path / "private")
    alice = UserFactory(email="alice@example.com")
    workspace = workspace_open(owner=alice)
    first, second = (
        resume_file_upload(
            workspace=workspace, actor=alice, name=f"cv{i}.txt", data=f"Alice {i}\n".encode()
        ).storage_name
        for i in range(2)
    )
    storage = private_files.private_storage()
    delete = type(storage).delete

    def refuse_the_first(self, name):
        if name == first:
            raise OSError("storage unavailable")
        delete(self, name)

    monkeypatch.setattr(type(storage), "delete", refuse_the_first)
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=alice)

    assert not storage.exists(second)
    assert f"Stored file private:{first} could not be deleted" in caplog.text
    # It stays listed, for beat to try again (privacy/tests/test_file_deletions.py).
    assert list(FileDeletion.objects.values_list("name", flat=True)) == [first]
