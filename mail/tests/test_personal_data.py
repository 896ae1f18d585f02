import pytest

from accounts.tests.factories import UserFactory
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant
from mail import personal_data
from mail.models import Campaign, Delivery, InboundMessage, OutboundMessage
from mail.services import (
    campaign_create,
    campaign_deliveries_send,
    campaign_fan_out,
    campaigns_with_counts,
    inbound_message_process,
)
from mail.tests.factories import raw_email


@pytest.fixture
def owner():
    user = UserFactory(email="owner@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    inbound_message_process(raw=raw_email(sender="owner@example.com"), source="file")
    campaign = campaign_create(kind="marketing", subject="Hi", body_markdown="Hello")
    Delivery.objects.create(campaign=campaign, subject_id_at_queue=1, email="owner@example.com")
    return user


@pytest.mark.django_db
def test_export_lists_the_remove_emails_and_campaign_mail_of_the_owner_only(owner):
    inbound_message_process(raw=raw_email(sender="stranger@example.com"), source="file")

    data = personal_data.export(owner)

    assert [item["from"] for item in data["remove_emails_received"]] == ["owner@example.com"]
    assert data["remove_emails_received"][0]["outcome"] == "opted_out"
    assert [item["to"] for item in data["campaign_emails"]] == ["owner@example.com"]
    assert {item["to"] for item in data["emails_sent"]} == {"owner@example.com"}


@pytest.mark.django_db
def test_erase_forgets_the_address_in_mail_records_but_not_the_opt_out(owner):
    personal_data.erase(owner)

    assert not InboundMessage.objects.filter(from_address="owner@example.com").exists()
    assert not Delivery.objects.filter(email="owner@example.com").exists()
    assert not OutboundMessage.objects.filter(to="owner@example.com").exists()
    assert InboundMessage.objects.get().outcome == "opted_out"
    assert not consent_is_granted(email="owner@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_erase_drops_webhook_mail_from_them_still_waiting_but_not_others(owner):
    from django.utils import timezone

    from mail.models import InboundDelivery

    for sender in ("Owner <OWNER@example.com>", "stranger@example.com"):
        InboundDelivery.objects.create(
            raw=raw_email(sender=sender, body="owner@example.com asked me to write"),
            received_at=timezone.now(),
        )

    personal_data.erase(owner)

    [left] = InboundDelivery.objects.all()
    assert b"From: stranger@example.com" in bytes(left.raw)


@pytest.mark.django_db
def test_mail_to_the_owner_counts_whatever_the_case_it_was_typed_in(owner):
    from mail.services import email_queue

    email_queue(to="Owner@Example.com", subject="Your receipt", text="Hello Owner")

    assert "Owner@Example.com" in {
        item["to"] for item in personal_data.export(owner)["emails_sent"]
    }
    personal_data.erase(owner)
    assert not OutboundMessage.objects.filter(to__iexact="owner@example.com").exists()


@pytest.mark.django_db
def test_an_address_typed_into_an_account_but_not_confirmed_brings_none_of_its_mail(owner):
    from allauth.account.models import EmailAddress

    inbound_message_process(raw=raw_email(sender="victim@example.com"), source="file")
    EmailAddress.objects.create(user=owner, email="victim@example.com", verified=False)

    exported = personal_data.export(owner)
    personal_data.erase(owner)

    assert "victim@example.com" not in str(exported)
    assert InboundMessage.objects.filter(from_address="victim@example.com").exists()


@pytest.mark.django_db
def test_export_holds_what_each_email_said_while_it_is_kept_and_not_after(owner, settings):
    from datetime import timedelta

    from django.utils import timezone

    from mail.services import email_queue, outbound_messages_forget

    message = email_queue(to="owner@example.com", subject="Your receipt", text="Order 42 paid")
    assert {item["text"] for item in personal_data.export(owner)["emails_sent"]} >= {
        "Order 42 paid"
    }

    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.SENT,
        created_at=timezone.now() - timedelta(days=settings.OUTBOUND_MAIL_KEEP_DAYS + 1),
    )
    outbound_messages_forget()

    [receipt] = [
        item
        for item in personal_data.export(owner)["emails_sent"]
        if item["subject"] == "Your receipt"
    ]
    assert receipt["text"] == ""


@pytest.mark.django_db
def test_erase_counts_campaign_mail_that_will_not_go_to_them_as_withdrawn(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="reader@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    campaign = campaign_create(kind="marketing", subject="Hi", body_markdown="Hello")
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)
    campaign_fan_out(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=False):
        campaign_deliveries_send(campaign_id=campaign.pk, subject_from=0, subject_to=10**9)

    personal_data.erase(user)

    delivery = Delivery.objects.get()
    assert delivery.outbound.status == OutboundMessage.Status.WITHDRAWN
    assert delivery.status == Delivery.Status.WITHDRAWN
    counts = campaigns_with_counts().get(pk=campaign.pk)
    assert (counts.queued_count, counts.withdrawn_count) == (0, 1)
