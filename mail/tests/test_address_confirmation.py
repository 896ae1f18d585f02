"""A grant of our e-mail is in force only once the owner of the address has shown it
is theirs (P4): nobody gets our mail because someone else typed their address in,
and a "remove" cannot be undone that way."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_elections_update, account_signup_complete
from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent, Election
from consent.purposes import Awaiting, Purpose, Source
from consent.selectors import consent_granted_subjects
from consent.services import consent_grant, subject_erase, subject_find
from contests.services import contest_enter
from contests.tests.factories import ContestFactory
from mail.models import InboundMessage, OutboundMessage
from mail.services import (
    address_confirmation_from_token,
    address_confirmation_request,
    inbound_message_process,
    removal_undo,
)
from mail.tests.factories import raw_email

pytestmark = pytest.mark.django_db

KIND = OutboundMessage.Kind.ADDRESS_CONFIRMATION


def recipients(purpose=Purpose.MARKETING) -> list[str]:
    return [email for _, email in consent_granted_subjects(purpose=purpose)]


def asked(email="gina@example.com", *purposes, occasion="placing an order"):
    """A guest ticks these at checkout; the owner is asked to confirm."""
    for purpose in purposes or (Purpose.MARKETING,):
        consent_grant(email=email, purpose=purpose, source=Source.CHECKOUT)
    return address_confirmation_request(email=email, occasion=occasion)


def confirm_link(message: OutboundMessage) -> str:
    return re.search(r"http\S+(/mail/confirm-address/\S+/)", message.text).group(1)


def follow(client, link):
    """What the owner's browser does: open the link, press the button."""
    page = client.get(link).content.decode()
    shown = re.findall(r'name="purpose" value="([^"]+)"', page)
    return client.post(link, {"purpose": shown})


def entered_contest(email, purpose):
    contest_enter(
        contest=ContestFactory(),
        name="An entrant",
        email=email,
        address_line1="1 Main St",
        city="Springfield",
        postal_code="12345",
        country="US",
        elections=[purpose],
    )


def remove_from(email):
    inbound_message_process(raw=raw_email(sender=email), source=InboundMessage.Source.FILE)


def test_a_grant_typed_in_sends_nothing_until_the_owner_follows_the_link(client):
    message = asked("gina@example.com", Purpose.MARKETING, Purpose.SITE_UPDATES)
    assert recipients() == []
    assert (message.kind, message.to) == (KIND, "gina@example.com")
    assert "placing an order" in message.text
    assert "about CareerPerfect products and services" in message.text  # What was asked.
    assert message.headers["Auto-Submitted"] == "auto-generated"
    link = confirm_link(message)

    shown = client.get(link)  # A link scanner, or the person reading first.
    assert shown.status_code == 200
    assert b"Yes, this is my address" in shown.content
    assert recipients() == []

    done = follow(client, link)
    assert done.status_code == 200
    assert b"From now on" in done.content
    assert recipients() == ["gina@example.com"]
    assert recipients(Purpose.SITE_UPDATES) == ["gina@example.com"]
    proof = ConsentEvent.objects.filter(source=Source.CONFIRMED)
    assert {event.purpose for event in proof} == {Purpose.MARKETING, Purpose.SITE_UPDATES}
    assert all(event.evidence["by"] == "confirmation link" for event in proof)
    again = follow(client, link)
    assert b"Nothing to confirm" in again.content
    assert proof.count() == 2


def test_after_a_remove_a_stranger_typing_the_address_in_restarts_nothing(client):
    follow(client, confirm_link(asked()))
    remove_from("gina@example.com")

    entered_contest("gina@example.com", Purpose.MARKETING)  # Not by Gina.

    assert recipients() == []
    assert Election.objects.get(purpose=Purpose.MARKETING).awaiting == Awaiting.OWNER


def test_a_guest_order_cannot_opt_an_account_holder_in():
    alice = UserFactory(email="alice@example.com")  # Verified; never asked for marketing.
    account_signup_complete(user=alice, name="Alice", elections=[])

    asked("alice@example.com")

    assert recipients() == []
    assert Election.objects.get(subject__user=alice).awaiting == Awaiting.OWNER


def test_a_grant_in_force_stays_in_force_when_someone_ticks_it_again():
    alice = UserFactory(email="alice@example.com")
    account_signup_complete(user=alice, name="Alice", elections=[Purpose.MARKETING])

    asked("alice@example.com")

    assert recipients() == ["alice@example.com"]
    assert not OutboundMessage.objects.filter(kind=KIND).exists()


def test_a_signup_grant_is_in_force_once_the_account_verifies_its_address():
    user = UserFactory(email="una@example.com", verified_email=False)
    account_signup_complete(user=user, name="Una", elections=[Purpose.MARKETING])
    assert recipients() == []

    address = EmailAddress.objects.create(user=user, email="una@example.com", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert recipients() == ["una@example.com"]
    proof = ConsentEvent.objects.get(source=Source.CONFIRMED)
    assert proof.evidence["by"] == "account address verified"


def test_an_unverified_signup_cannot_restart_mail_to_an_address_that_said_remove(client):
    follow(client, confirm_link(asked()))
    remove_from("gina@example.com")

    impostor = UserFactory(email="gina@example.com", verified_email=False)
    account_signup_complete(user=impostor, name="X", elections=[Purpose.MARKETING])

    assert recipients() == []


def test_verifying_the_address_does_not_confirm_what_a_stranger_ticked_for_it():
    asked("una@example.com")  # Someone else, at a guest checkout.
    user = UserFactory(email="una@example.com", verified_email=False)
    account_signup_complete(user=user, name="Una", elections=[])

    address = EmailAddress.objects.create(user=user, email="una@example.com", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert recipients() == []


def test_an_address_changed_to_one_not_verified_waits_for_its_verification():
    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    assert recipients() == ["old@example.com"]

    user.email = "typed-by-staff@example.com"
    user.save()

    assert recipients() == []
    address = EmailAddress.objects.create(user=user, email="typed-by-staff@example.com")
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert recipients() == ["typed-by-staff@example.com"]


def test_my_privacy_shows_a_waiting_grant_unticked_and_ticking_it_puts_it_in_force(client):
    alice = UserFactory(email="alice@example.com")
    account_signup_complete(user=alice, name="Alice", elections=[])
    asked("alice@example.com")
    client.force_login(alice)

    html = client.get(reverse("accounts:privacy")).content.decode()
    changed = account_elections_update(user=alice, wanted={Purpose.MARKETING: True})

    box = re.search(r'<input[^>]*name="marketing"[^>]*>', html).group(0)
    assert "checked" not in box
    assert re.search(r"by someone\s+who typed your address in, not yet allowed", html)
    assert changed == [Purpose.MARKETING]
    assert recipients() == ["alice@example.com"]


def test_at_most_one_request_a_day_and_none_when_nothing_waits(client):
    first = asked()
    assert asked() is None  # Asked again the same day: nothing more is sent.
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert asked() is not None
        assert address_confirmation_request(email="nobody@example.com", occasion="x") is None
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(hours=1)):
        follow(client, confirm_link(first))  # Any of the links works: nothing was stopped since.
    assert recipients() == ["gina@example.com"]
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(days=2)):
        assert address_confirmation_request(email="gina@example.com", occasion="x") is None
    assert OutboundMessage.objects.filter(kind=KIND).count() == 2


def test_a_link_confirms_only_the_grants_it_was_sent_for(client):
    link = confirm_link(asked())
    remove_from("gina@example.com")
    asked()  # A stranger, later the same day: no new message (one a day).

    follow(client, link)

    assert recipients() == []


def test_a_link_read_before_the_address_changed_confirms_nothing():
    user = UserFactory(email="a@example.com", verified_email=False)
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    message = address_confirmation_request(email="a@example.com", occasion="x")
    read = address_confirmation_from_token(token=confirm_link(message).split("/")[-2])
    user.email = "b@example.com"  # Staff type a new address, not verified.
    user.save()

    assert read.confirm(purposes=[Purpose.MARKETING]) == []
    assert recipients() == []


def test_a_link_for_an_address_erased_since_or_tampered_with_or_expired_does_nothing(client):
    link = confirm_link(asked("gone@example.com"))
    other = confirm_link(asked("late@example.com"))
    subject_erase(subject=subject_find(email="gone@example.com"))
    asked("gone@example.com")  # The address given again, after the erasure.

    erased = follow(client, link)
    forged = client.post(other[:-3] + "xx/")
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 31 * 86400):
        expired = client.post(other)

    assert erased.status_code == 200
    assert b"Nothing to confirm" in erased.content
    assert forged.status_code == 404
    assert expired.status_code == 410
    assert recipients() == []


def test_an_expired_link_offers_a_new_one_sent_to_the_same_address(client):
    link = confirm_link(asked())
    later = time.time() + 31 * 86400

    with mock.patch("django.core.signing.time.time", return_value=later):
        shown = client.get(link)
        with mock.patch(
            "django.utils.timezone.now", return_value=timezone.now() + timedelta(days=31)
        ):
            client.post(link)

    assert shown.status_code == 410
    assert b"E-mail me a new link" in shown.content
    assert recipients() == []
    fresh = OutboundMessage.objects.filter(kind=KIND).latest("pk")
    assert fresh.to == "gina@example.com"
    assert confirm_link(fresh) != link
    follow(client, confirm_link(fresh))
    assert recipients() == ["gina@example.com"]


def test_this_wasnt_me_puts_the_grants_it_restores_in_force():
    # Someone else sent "remove" in the owner's name; the owner keeps their e-mail.
    consent_grant(
        email="gina@example.com",
        purpose=Purpose.MARKETING,
        source=Source.CHECKOUT,
        owner_confirmed=True,
    )
    remove_from("gina@example.com")

    removal_undo(inbound=InboundMessage.objects.get())

    assert recipients() == ["gina@example.com"]


def test_a_delivery_queued_before_the_address_changed_is_not_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    from mail.tests.test_campaigns import fanned_out, new_campaign, send_all

    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    campaign = fanned_out(new_campaign())
    user.email = "new@example.com"
    user.save()
    # Before the chunk is sent, someone types the old address in at a guest checkout.
    consent_grant(email="old@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT)

    send_all(campaign, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_one_link_covers_what_was_asked_for_later_the_same_day(client):
    link = confirm_link(asked("gina@example.com", Purpose.MARKETING))
    # Site updates too, hours later: no second message that day.
    entered_contest("gina@example.com", Purpose.SITE_UPDATES)
    assert OutboundMessage.objects.filter(kind=KIND).count() == 1

    page = client.get(link).content.decode()
    follow(client, link)

    assert "when the site or this privacy policy changes" in page  # Shown before pressing.
    assert recipients(Purpose.SITE_UPDATES) == ["gina@example.com"]
    assert recipients() == ["gina@example.com"]


def test_a_guest_tick_does_not_delay_the_accounts_own_grant():
    user = UserFactory(email="una@example.com", verified_email=False)
    account_signup_complete(user=user, name="Una", elections=[Purpose.MARKETING])
    asked("una@example.com")  # Before she verifies, the address is typed in elsewhere.

    address = EmailAddress.objects.create(user=user, email="una@example.com", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert recipients() == ["una@example.com"]


def test_saving_my_privacy_with_a_waiting_grant_unticked_refuses_it(client):
    user = UserFactory(email="old@example.com")
    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    user.email = "new@example.com"  # Staff type in a new address, not verified yet.
    user.save()
    client.force_login(user)

    page = client.get(reverse("accounts:privacy")).content.decode()
    client.post(reverse("accounts:privacy"), {})  # Shown unticked, saved unticked: no.
    address = EmailAddress.objects.create(user=user, email="new@example.com", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert re.search(r"it starts once you verify your address,\s+new@example.com", page)
    assert recipients() == []


def test_a_link_followed_after_its_address_became_an_accounts_still_confirms(client):
    link = confirm_link(asked("new@example.com"))
    alice = UserFactory(email="alice@example.com")
    EmailAddress.objects.create(user=alice, email="new@example.com", verified=True)
    alice.email = "new@example.com"
    alice.save()  # The guest's subject is merged into alice's; its grant still waits.
    assert recipients() == []

    follow(client, link)

    assert recipients() == ["new@example.com"]


def test_a_link_to_an_account_that_took_in_two_addresses_works(client):
    from consent.models import Subject
    from consent.services import consent_withdraw

    alice = UserFactory(email="alice@example.com")
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    for address in ("b@example.com", "c@example.com"):
        consent_grant(email=address, purpose=Purpose.SITE_UPDATES, source=Source.CHECKOUT)
        EmailAddress.objects.create(user=alice, email=address, verified=True)
        alice.email = address
        alice.save()  # the guest subject of that address merges into alice's
    assert Subject.objects.get(user=alice).merged.count() == 2
    # A guest checkout types alice's address in and ticks marketing.
    message = asked("c@example.com", Purpose.MARKETING)

    response = client.get(confirm_link(message))

    assert response.status_code == 200
