"""Campaigns reach only those whose election is granted when each message leaves (P4)."""

import email.policy
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MARKETING
from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, consent_withdraw
from mail.models import Campaign, Delivery, OutboundMessage
from mail.services import (
    campaign_create,
    campaign_deliveries_send,
    campaign_fan_out,
    campaign_schedule,
    campaigns_dispatch_due,
    email_queue,
    email_send,
)


def subscriber(email, *purposes):
    """An address whose owner asked for these e-mails, and confirmed it."""
    for purpose in purposes:
        consent_grant(email=email, purpose=purpose, source=Source.SIGNUP, owner_confirmed=True)
    return email


def new_campaign(kind=Campaign.Kind.MARKETING, **fields):
    return campaign_create(
        kind=kind,
        subject=fields.pop("subject", "Spring resume review"),
        body_markdown=fields.pop("body_markdown", "Hello **you**. <script>alert(1)</script>"),
        **fields,
    )


def fanned_out(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)
    campaign_fan_out(campaign_id=campaign.pk)
    return campaign


def send_all(campaign, django_capture_on_commit_callbacks):
    """Hand every queued delivery over and run the outbound sends."""
    subject_ids = Delivery.objects.filter(campaign=campaign).values_list(
        "subject_id_at_queue", flat=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign_deliveries_send(
            campaign_id=campaign.pk, subject_from=min(subject_ids), subject_to=max(subject_ids)
        )


@pytest.mark.django_db
def test_a_campaign_goes_only_to_granted_elections_of_its_kind(
    mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("yes@example.com", Purpose.MARKETING)
    subscriber("updates-only@example.com", Purpose.SITE_UPDATES)
    subscriber("changed-mind@example.com", Purpose.MARKETING)
    consent_withdraw(
        email="changed-mind@example.com", purpose=Purpose.MARKETING, source=Source.PREFERENCES
    )
    consent_withdraw(email="never@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    campaign = fanned_out(new_campaign())

    send_all(campaign, django_capture_on_commit_callbacks)

    assert [message.to[0] for message in mailoutbox] == ["yes@example.com"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.django_db
def test_running_the_fan_out_again_creates_no_second_delivery(
    mailoutbox, django_capture_on_commit_callbacks
):
    for n in range(5):
        subscriber(f"p{n}@example.com", Purpose.MARKETING)
    campaign = fanned_out(new_campaign())
    send_all(campaign, django_capture_on_commit_callbacks)

    fanned_out(campaign)
    send_all(campaign, django_capture_on_commit_callbacks)

    assert Delivery.objects.filter(campaign=campaign).count() == 5
    assert sorted(message.to[0] for message in mailoutbox) == [
        f"p{n}@example.com" for n in range(5)
    ]


@pytest.mark.django_db
def test_a_fan_out_run_again_after_an_address_change_mails_the_person_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    campaign = fanned_out(new_campaign())
    send_all(campaign, django_capture_on_commit_callbacks)
    # The worker running the fan-out was stopped (a deploy) and its task runs again,
    # after the person moved to a new address.
    EmailAddress.objects.create(user=user, email="new@example.com", verified=True)
    EmailAddress.objects.get(email="new@example.com").set_as_primary()

    fanned_out(campaign)
    send_all(campaign, django_capture_on_commit_callbacks)

    assert [message.to for message in mailoutbox] == [["old@example.com"]]
    assert Delivery.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_delivery_of_a_campaign_to_a_person():
    # A fan-out and its resumed copy running at once each queue the person, at the
    # address each read.
    campaign = new_campaign()
    Delivery.objects.create(campaign=campaign, subject_id_at_queue=7, email="old@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(campaign=campaign, subject_id_at_queue=7, email="new@example.com")

    assert Delivery.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_fan_out_streams_in_chunks_with_one_send_task_per_chunk(
    django_capture_on_commit_callbacks,
):
    for n in range(7):
        subscriber(f"c{n}@example.com", Purpose.MARKETING)
    campaign = new_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        streamed = campaign_fan_out(campaign_id=campaign.pk, chunk_size=3)

    assert streamed == 7
    assert len(callbacks) == 3
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.QUEUED


@pytest.mark.django_db
def test_a_queued_campaign_does_not_reach_an_address_withdrawn_after_queueing(
    mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("stays@example.com", Purpose.MARKETING)
    subscriber("leaves@example.com", Purpose.MARKETING)
    campaign = fanned_out(new_campaign())
    assert Delivery.objects.filter(campaign=campaign).count() == 2

    consent_withdraw(email="leaves@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    send_all(campaign, django_capture_on_commit_callbacks)

    assert [message.to[0] for message in mailoutbox] == ["stays@example.com"]
    assert Delivery.objects.get(email="leaves@example.com").status == Delivery.Status.WITHDRAWN


@pytest.mark.django_db
def test_a_campaign_message_already_handed_over_is_checked_again_when_it_is_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("late@example.com", Purpose.SITE_UPDATES)
    campaign = fanned_out(new_campaign(kind=Campaign.Kind.SITE_UPDATES))
    with django_capture_on_commit_callbacks(execute=False):
        campaign_deliveries_send(campaign_id=campaign.pk, subject_from=0, subject_to=10**9)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.HANDED_OVER

    consent_withdraw(
        email="late@example.com", purpose=Purpose.SITE_UPDATES, source=Source.ONE_CLICK
    )
    sent = email_send(message_id=delivery.outbound_id)

    assert sent is False
    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.WITHDRAWN
    assert delivery.outbound.status == OutboundMessage.Status.WITHDRAWN


@pytest.mark.django_db
def test_transactional_mail_is_never_blocked_by_elections(mailoutbox):
    consent_withdraw(email="buyer@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    consent_withdraw(email="buyer@example.com", purpose=Purpose.SITE_UPDATES, source=Source.EMAIL)
    receipt = email_queue(to="buyer@example.com", subject="Your receipt", text="Thanks.")

    assert email_send(message_id=receipt.pk) is True
    assert len(mailoutbox) == 1
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


@pytest.mark.django_db
def test_every_campaign_message_carries_list_unsubscribe_headers_and_a_footer(
    mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("reader@example.com", Purpose.MARKETING)
    campaign = fanned_out(new_campaign())

    send_all(campaign, django_capture_on_commit_callbacks)

    message = mailoutbox[0]
    headers = message.extra_headers
    one_click = f"http://127.0.0.1:8000{reverse('mail:unsubscribe', args=['x'])[:-2]}"
    assert headers["List-Unsubscribe"].startswith(
        "<mailto:admin@careerperfect.localhost?subject=remove>, <" + one_click
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Id"] == "CareerPerfect marketing <marketing.careerperfect.localhost>"
    assert "because you said yes to" in message.body
    assert one_click in message.body
    html = message.alternatives[0].content
    assert "<strong>you</strong>" in html
    assert "<script>" not in html
    assert "because you said yes to" in html


@pytest.mark.django_db
def test_the_one_click_link_leaves_for_the_mail_service_as_a_plain_url(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://www.careerperfect.example.com"
    subscriber("reader@example.com", Purpose.MARKETING)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)
    one_click = mailoutbox[0].extra_headers["List-Unsubscribe"].split(", ")[1]

    # As the SMTP backend writes it: a long line folded, the URL never encoded.
    raw = mailoutbox[0].message(policy=email.policy.SMTP).as_bytes().decode()

    assert f", {one_click}\r\n" in raw
    assert "=?utf-8?" not in raw


@pytest.mark.django_db
def test_a_campaign_scheduled_for_later_waits_for_its_time(django_capture_on_commit_callbacks):
    subscriber("reader@example.com", Purpose.MARKETING)
    later = timezone.now() + timedelta(hours=2)
    campaign = new_campaign()

    with django_capture_on_commit_callbacks(execute=True):
        campaign_schedule(campaign=campaign, send_at=later)
        started_now = campaigns_dispatch_due()

    assert started_now == []
    assert not Delivery.objects.exists()
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_dispatch_due() == [campaign.pk]
    assert Delivery.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_sending_now_queues_deliveries_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    subscriber("reader@example.com", Purpose.SITE_UPDATES)

    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_schedule(
            campaign=new_campaign(kind=Campaign.Kind.SITE_UPDATES, subject="Policy v2")
        )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.QUEUED
    assert [message.subject for message in mailoutbox] == ["Policy v2"]


@pytest.mark.django_db
def test_a_campaign_cannot_be_scheduled_twice():
    campaign = new_campaign()
    campaign_schedule(campaign=campaign, send_at=timezone.now() + timedelta(days=1))

    with pytest.raises(ValueError, match="not a draft"):
        campaign_schedule(campaign=campaign)


def unsubscribe_url(mailoutbox):
    header = mailoutbox[0].extra_headers["List-Unsubscribe"]
    return header.split(", <")[1].rstrip(">").removeprefix("http://127.0.0.1:8000")


@pytest.mark.django_db
def test_one_click_get_shows_a_button_and_changes_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("reader@example.com", Purpose.MARKETING)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)

    response = client.get(unsubscribe_url(mailoutbox))

    assert response.status_code == 200
    assert b"Unsubscribe reader@example.com" in response.content
    assert consent_is_granted(email="reader@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_one_click_post_unsubscribes_without_login_or_csrf_token(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    subscriber("reader@example.com", Purpose.MARKETING, Purpose.SITE_UPDATES)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_url(mailoutbox), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not consent_is_granted(email="reader@example.com", purpose=Purpose.MARKETING)
    assert consent_is_granted(email="reader@example.com", purpose=Purpose.SITE_UPDATES)
    event = ConsentEvent.objects.get(source=Source.ONE_CLICK)
    assert event.evidence["delivery"] == Delivery.objects.get().pk


@pytest.mark.django_db
def test_one_click_from_mail_received_before_an_address_change_still_unsubscribes(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)
    url = unsubscribe_url(mailoutbox)
    EmailAddress.objects.create(user=user, email="new@example.com", verified=True)
    EmailAddress.objects.get(email="new@example.com").set_as_primary()

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert ConsentEvent.objects.filter(source=Source.ONE_CLICK).count() == 1


@pytest.mark.django_db
def test_one_click_after_an_address_change_stops_the_persons_other_addresses_too(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    # A guest order placed with another address of theirs, confirmed, before they added it.
    subscriber("other@example.com", Purpose.MARKETING)
    EmailAddress.objects.create(user=user, email="other@example.com", verified=True)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)
    mailoutbox[:] = [m for m in mailoutbox if m.to == ["old@example.com"]]
    url = unsubscribe_url(mailoutbox)
    EmailAddress.objects.create(user=user, email="new@example.com", verified=True)
    EmailAddress.objects.get(email="new@example.com").set_as_primary()

    client.post(url, {"List-Unsubscribe": "One-Click"})

    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert not consent_is_granted(email="other@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_a_tampered_one_click_token_does_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("reader@example.com", Purpose.MARKETING)
    send_all(fanned_out(new_campaign()), django_capture_on_commit_callbacks)
    url = unsubscribe_url(mailoutbox)

    response = client.post(url[:-4] + "zz/")

    assert response.status_code == 404
    assert consent_is_granted(email="reader@example.com", purpose=Purpose.MARKETING)


@pytest.fixture
def marketer(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_campaign_changelist_shows_counts_in_a_fixed_number_of_queries(
    client, marketer, django_assert_num_queries
):
    for n in range(3):
        campaign = new_campaign(subject=f"Campaign {n}")
        Delivery.objects.create(campaign=campaign, subject_id_at_queue=1, email="a@example.com")
        Delivery.objects.create(
            campaign=campaign,
            subject_id_at_queue=2,
            email="b@example.com",
            status=Delivery.Status.WITHDRAWN,
        )

    # Session, user, permissions (user and group), two counts for the paginator,
    # the page of campaigns annotated with their delivery counts.
    with django_assert_num_queries(7):
        response = client.get(reverse("admin:mail_campaign_changelist"))

    assert response.status_code == 200
    assert b"Skipped: withdrawn" in response.content


@pytest.mark.django_db
def test_marketing_sees_how_many_withdrew_but_not_who(client, marketer):
    campaign = new_campaign()
    Delivery.objects.create(
        campaign=campaign,
        subject_id_at_queue=1,
        email="stopped@example.com",
        status=Delivery.Status.WITHDRAWN,
    )

    counts = client.get(reverse("admin:mail_campaign_changelist")).content.decode()
    addresses = client.get(reverse("admin:mail_delivery_changelist"), {"q": "stopped@"})

    assert "Skipped: withdrawn" in counts
    assert "stopped@example.com" not in counts
    assert addresses.status_code == 403


@pytest.mark.django_db
def test_a_privacy_officer_reads_campaigns_but_cannot_send_even_a_test(
    client, django_capture_on_commit_callbacks
):
    from accounts.roles import PRIVACY_OFFICER

    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(officer)
    campaign = new_campaign()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:mail_campaign_test", args=[campaign.pk]))

    assert client.get(reverse("admin:mail_campaign_preview", args=[campaign.pk])).status_code == 200
    assert response.status_code == 403
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_privacy_officer_is_not_offered_a_test_send_the_admin_would_refuse(client):
    from accounts.roles import PRIVACY_OFFICER

    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(officer)
    campaign = new_campaign()

    html = client.get(reverse("admin:mail_campaign_change", args=[campaign.pk])).content.decode()

    assert reverse("admin:mail_campaign_preview", args=[campaign.pk]) in html
    assert reverse("admin:mail_campaign_test", args=[campaign.pk]) not in html
    assert "Send a test to me" not in html


@pytest.mark.django_db
def test_staff_can_preview_and_send_a_test_to_themselves(
    client, marketer, django_capture_on_commit_callbacks, mailoutbox
):
    campaign = new_campaign()

    preview = client.get(reverse("admin:mail_campaign_preview", args=[campaign.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:mail_campaign_test", args=[campaign.pk]))

    assert preview.status_code == 200
    assert b"<strong>you</strong>" in preview.content
    assert b"alert(1)" not in preview.content.split(b"<h3>Text</h3>")[0]
    assert [message.to[0] for message in mailoutbox] == [marketer.email]
    assert mailoutbox[0].subject == "[Test] Spring resume review"
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_marketing_staff_can_send_a_campaign_from_the_admin(
    client, marketer, django_capture_on_commit_callbacks, mailoutbox
):
    subscriber("reader@example.com", Purpose.MARKETING)
    campaign = new_campaign()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:mail_campaign_send", args=[campaign.pk]))

    assert response.status_code == 302
    assert [message.to[0] for message in mailoutbox] == ["reader@example.com"]


@pytest.mark.django_db
def test_sending_first_says_how_many_people_it_goes_to_and_sends_nothing(client, marketer):
    subscriber("one@example.com", Purpose.MARKETING)
    subscriber("two@example.com", Purpose.MARKETING)
    subscriber("news@example.com", Purpose.SITE_UPDATES)
    campaign = new_campaign()
    send_url = reverse("admin:mail_campaign_send", args=[campaign.pk])

    change = client.get(reverse("admin:mail_campaign_change", args=[campaign.pk])).content.decode()
    confirm = client.get(send_url)

    assert f'href="{send_url}"' in change
    assert confirm.status_code == 200
    text = " ".join(confirm.content.decode().split())
    assert "“Spring resume review” goes to the 2 people" in text
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_staff_without_the_send_permission_cannot_send(client):
    support = UserFactory(is_staff=True)
    support.groups.add(Group.objects.get(name="Privacy Officer"))
    client.force_login(support)
    campaign = new_campaign()

    response = client.post(reverse("admin:mail_campaign_send", args=[campaign.pk]))

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


@pytest.mark.django_db
def test_the_sweep_requeues_campaign_mail_on_its_own_queue_and_only_when_long_overdue():
    from unittest import mock

    from mail.services import outbound_messages_sweep

    receipt = email_queue(to="a@example.com", subject="Receipt", text="x")
    offer = email_queue(
        to="b@example.com", subject="Offer", text="x", kind=OutboundMessage.Kind.MARKETING
    )
    OutboundMessage.objects.update(created_at=timezone.now() - timedelta(minutes=30))

    with mock.patch("mail.tasks.outbound_message_send.apply_async") as send:
        outbound_messages_sweep()
        OutboundMessage.objects.filter(pk=offer.pk).update(
            created_at=timezone.now() - timedelta(hours=2)
        )
        outbound_messages_sweep()

    calls = [(call.kwargs["args"][0], call.kwargs["queue"]) for call in send.call_args_list]
    assert calls == [
        (receipt.pk, "default"),
        (receipt.pk, "default"),
        (offer.pk, "campaigns"),
    ]


@pytest.mark.django_db
def test_a_fan_out_or_chunk_whose_task_was_lost_is_resumed_by_the_dispatch(
    mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("first@example.com", Purpose.MARKETING)
    subscriber("second@example.com", Purpose.MARKETING)
    long_ago = timezone.now() - timedelta(hours=1)
    lost_fan_out = new_campaign(subject="Fan-out lost")
    Campaign.objects.filter(pk=lost_fan_out.pk).update(
        status=Campaign.Status.FANNING_OUT, fan_out_started_at=long_ago
    )
    lost_chunk = new_campaign(subject="Chunk lost")
    fanned_out(lost_chunk)  # Deliveries created; their send tasks never run here.
    Delivery.objects.filter(campaign=lost_chunk).update(updated_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        campaigns_dispatch_due()

    sent = sorted((message.subject, message.to[0]) for message in mailoutbox)
    assert sent == [
        ("Chunk lost", "first@example.com"),
        ("Chunk lost", "second@example.com"),
        ("Fan-out lost", "first@example.com"),
        ("Fan-out lost", "second@example.com"),
    ]


@pytest.mark.django_db
def test_the_campaign_page_offers_preview_test_and_send_outside_the_edit_form(client, marketer):
    campaign = new_campaign()

    html = client.get(reverse("admin:mail_campaign_change", args=[campaign.pk])).content.decode()

    edit_form_end = html.index("</form>", html.index('id="campaign_form"'))
    assert reverse("admin:mail_campaign_preview", args=[campaign.pk]) in html
    assert html.index(reverse("admin:mail_campaign_test", args=[campaign.pk])) > edit_form_end
    assert html.index(reverse("admin:mail_campaign_send", args=[campaign.pk])) > edit_form_end
    assert "Send now" in html


@pytest.mark.django_db
def test_a_scheduled_campaign_can_be_taken_back_from_the_admin_until_its_time(
    client, marketer, django_capture_on_commit_callbacks
):
    subscriber("reader@example.com", Purpose.MARKETING)
    campaign = campaign_schedule(
        campaign=new_campaign(), send_at=timezone.now() + timedelta(days=7)
    )
    change = reverse("admin:mail_campaign_change", args=[campaign.pk])
    unschedule = reverse("admin:mail_campaign_unschedule", args=[campaign.pk])

    assert unschedule in client.get(change).content.decode()
    response = client.post(unschedule, follow=True)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert "Taken back: it is a draft again" in response.content.decode()
    # A draft again: it can be changed, and nothing goes out when its old time comes.
    data = {"kind": "marketing", "subject": "Spring review", "body_markdown": "Hi.", "send_at": ""}
    assert client.post(change, data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now())
        assert campaigns_dispatch_due() == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_campaign_whose_time_has_come_cannot_be_taken_back(client, marketer):
    campaign = campaign_schedule(campaign=new_campaign(), send_at=timezone.now())
    change = reverse("admin:mail_campaign_change", args=[campaign.pk])
    unschedule = reverse("admin:mail_campaign_unschedule", args=[campaign.pk])

    assert unschedule not in client.get(change).content.decode()
    response = client.post(unschedule, follow=True)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED
    assert "cannot be taken back" in response.content.decode()


@pytest.mark.django_db
def test_only_those_who_may_send_may_take_a_campaign_back(client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy Officer"))
    client.force_login(officer)
    campaign = campaign_schedule(
        campaign=new_campaign(), send_at=timezone.now() + timedelta(days=7)
    )

    response = client.post(reverse("admin:mail_campaign_unschedule", args=[campaign.pk]))

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["Spring sale\nBcc: everyone@example.org", "Two\rlines"])
def test_a_campaign_subject_with_a_line_break_is_refused(client, marketer, subject):
    data = {"kind": "marketing", "subject": subject, "body_markdown": "Hi.", "send_at": ""}

    response = client.post(reverse("admin:mail_campaign_add"), data)

    assert response.status_code == 200
    assert "it may not contain a line break" in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_the_campaign_autocomplete_pages_through_campaigns_in_order(client, marketer):
    for n in range(3):
        campaign_create(kind="marketing", subject=f"Offer {n}", body_markdown="Hello")

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "mail", "model_name": "delivery", "field_name": "campaign", "term": ""},
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == [
        "Offer 2",
        "Offer 1",
        "Offer 0",
    ]
