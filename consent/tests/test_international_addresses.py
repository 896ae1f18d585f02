"""Addresses at international domains: one subject per address as mail systems see
it, whichever form (Unicode as typed, or ASCII as in a reply's From) reaches us."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.services import account_signup_complete
from accounts.tests.factories import UserFactory
from consent.models import ADDRESS_MAX_LENGTH, email_normalize, validate_address_length
from consent.purposes import Purpose, Source
from consent.selectors import consent_granted_subjects
from consent.services import consent_grant
from contests.forms import ContestEntryForm
from contests.models import ContestEntry
from contests.tests.factories import ContestFactory
from contests.tests.test_entry import entry_data
from feedback.forms import FeedbackForm
from mail.models import InboundMessage
from mail.services import address_confirmation_request, inbound_message_process
from mail.tests.factories import raw_email
from orders.forms import CheckoutForm, OrderFindForm
from resumes.forms import ShareForm

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


# 207 characters as typed, 333 once the domain is written in ASCII.
TOO_LONG_ONCE_ASCII = "a" * 60 + "@" + ".".join(["日本語日本語日本語日本語日本語"] * 9) + ".jp"
TOO_LONG_MESSAGE = "it has 333 characters, and an e-mail address can have at most 254"


def test_an_address_too_long_once_in_ascii_is_refused_and_one_that_fits_is_not():
    fits = "a" * 60 + "@" + ".".join(["bücher"] * 10) + ".de"

    assert len(email_normalize(fits)) <= ADDRESS_MAX_LENGTH
    validate_address_length(fits)
    with pytest.raises(ValidationError, match=TOO_LONG_MESSAGE):
        validate_address_length(TOO_LONG_ONCE_ASCII)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (CheckoutForm, "email"),
        (OrderFindForm, "email"),
        (FeedbackForm, "email"),
        (ContestEntryForm, "email"),
        (ShareForm, "recipient_email"),
    ],
)
def test_every_form_that_keeps_an_address_refuses_one_too_long_once_in_ascii(form, field):
    with pytest.raises(ValidationError, match=TOO_LONG_MESSAGE):
        form.base_fields[field].clean(TOO_LONG_ONCE_ASCII)


def test_signing_up_with_an_address_too_long_once_in_ascii_says_so(client):
    response = client.post(
        reverse("account_signup"),
        {"email": TOO_LONG_ONCE_ASCII, "password1": "a-long-passphrase-1", "age_confirmed": "on"},
    )

    assert response.status_code == 200
    assert TOO_LONG_MESSAGE in response.content.decode()
    assert not User.objects.exists()


def test_a_contest_entry_with_an_address_too_long_once_in_ascii_is_refused_clearly(client):
    contest = ContestFactory()
    response = client.post(
        reverse("contests:detail", args=[contest.slug]),
        entry_data(contest, email=TOO_LONG_ONCE_ASCII),
    )

    assert response.status_code == 200
    assert TOO_LONG_MESSAGE in response.content.decode()
    assert not ContestEntry.objects.exists()
