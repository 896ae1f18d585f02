"""Addresses at international domains: one subject per address as mail systems see
it, whichever form (Unicode as typed, or ASCII as in a reply's From) reaches us."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed

from accounts.services import account_signup_complete
from accounts.tests.factories import UserFactory
from consent.models import email_normalize
from consent.purposes import Purpose, Source
from consent.selectors import consent_granted_subjects
from consent.services import consent_grant
from mail.models import InboundMessage
from mail.services import address_confirmation_request, inbound_message_process
from mail.tests.factories import raw_email

pytestmark = pytest.mark.django_db

# A domain IDNA 2008 refuses but Django accepts (by IDNA 2003) and sends mail to.
EMOJI, EMOJI_ASCII = "una@i❤.ws", "una@xn--i-7iq.ws"


def recipients() -> list[str]:
    return [email for _, email in consent_granted_subjects(purpose=Purpose.MARKETING)]


def remove_from(sender: str) -> None:
    inbound_message_process(raw=raw_email(sender=sender), source=InboundMessage.Source.FILE)


def test_addresses_are_normalized_by_idna_2008_and_else_as_mail_is_sent():
    assert email_normalize("Una@Straße.de") == "una@xn--strae-oqa.de"  # not strasse.de
    assert email_normalize("una@Bücher.DE") == "una@xn--bcher-kva.de"
    assert email_normalize(EMOJI) == EMOJI_ASCII
    assert email_normalize(" Una@Example.COM ") == "una@example.com"


def test_a_verified_international_address_gets_its_mail():
    user = UserFactory(email="una@straße.de", verified_email=False)
    account_signup_complete(user=user, name="Una", elections=[Purpose.MARKETING])
    address = EmailAddress.objects.create(user=user, email="una@straße.de", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert recipients() == ["una@xn--strae-oqa.de"]


def test_a_remove_from_the_ascii_form_stops_an_account_at_such_a_domain():
    user = UserFactory(email=EMOJI)
    account_signup_complete(user=user, name="Una", elections=[Purpose.MARKETING])
    assert recipients() == [EMOJI_ASCII]

    remove_from(EMOJI_ASCII)  # As her mail system writes the From of a reply.

    assert recipients() == []


def test_a_remove_from_the_ascii_form_stops_a_guests_grant_at_such_a_domain():
    consent_grant(
        email=EMOJI, purpose=Purpose.MARKETING, source=Source.CHECKOUT, owner_confirmed=True
    )

    remove_from(EMOJI_ASCII)

    assert recipients() == []


def test_a_contest_entry_at_such_a_domain_is_in_the_entrants_data():
    from contests import personal_data
    from contests.tests.factories import ContestEntryFactory

    entry = ContestEntryFactory(email=EMOJI_ASCII, user=None)
    user = UserFactory(email=EMOJI)

    assert [e["email"] for e in personal_data.export(user)["entries"]] == [entry.email]


def test_erasing_an_account_at_an_international_domain_clears_the_mail_sent_to_it():
    from mail import personal_data

    consent_grant(email="una@bücher.de", purpose=Purpose.MARKETING, source=Source.CHECKOUT)
    message = address_confirmation_request(email="una@bücher.de", occasion="placing an order")
    user = UserFactory(email="una@bücher.de")  # Her account later; allauth keeps it as typed.

    assert personal_data.export(user)["emails_sent"]
    personal_data.erase(user)
    message.refresh_from_db()
    assert message.to == "erased@invalid"
