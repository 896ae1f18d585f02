import re

from django import forms

from accounts.forms import AgeConfirmationField, election_field
from consent.forms import AddressField
from consent.purposes import Purpose
from orders.models import ComputerType, Order
from orders.payments import SandboxOutcome
from orders.services import ADDRESS_FIELDS
from partners.forms import notice_version_check, notice_version_field


class AddToCartForm(forms.Form):
    """On a product page; for software it asks the one question the download needs."""

    def __init__(self, *args, needs_computer_type: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_computer_type:
            self.fields["computer_type"] = forms.ChoiceField(
                label="Which computer will you install it on?",
                choices=[("", "Choose your computer"), *ComputerType.choices],
                help_text="So that you get the download that runs on it. We ask this only "
                "for the software.",
            )


PHONE_CHARACTERS = re.compile(r"[0-9 +\-().]+")
PHONE_MIN_DIGITS = 6


def phone_validate(value: str) -> None:
    """Digits, with the usual separators; anything else is a mistake we can name."""
    if not PHONE_CHARACTERS.fullmatch(value):
        raise forms.ValidationError(
            "Use only digits, spaces and + - ( ) . in a phone number.", code="phone_characters"
        )
    if sum(character.isdigit() for character in value) < PHONE_MIN_DIGITS:
        raise forms.ValidationError(
            f"A phone number has at least {PHONE_MIN_DIGITS} digits.", code="phone_digits"
        )


class CheckoutForm(forms.Form):
    """Asks only what the products in the cart need, each field saying why (P3); on a
    partner's site, carries the version of its notice shown (P8)."""

    name = forms.CharField(
        max_length=150,
        label="Your name",
        help_text="Printed on your receipt, and how we and your writer address you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = AddressField(
        label="E-mail address",
        help_text="We send your receipt and the private link to your order here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Made when the form is shown; a form made before there was one places its order.
    checkout_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # The cart as this page showed it (orders.cart.cart_version).
    cart_version = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        ask_email: bool = True,
        phone_reasons: list[str] = (),
        address_reasons: list[str] = (),
        ask_age: bool = True,
        elections: list[Purpose] = (),
        partner=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["notice_version"] = notice_version_field(partner)
        if not ask_email:
            del self.fields["email"]
        if phone_reasons:
            self.fields["phone"] = forms.CharField(
                max_length=Order._meta.get_field("phone").max_length,
                validators=[phone_validate],
                label="Phone number",
                help_text="Why we ask: " + " ".join(phone_reasons),
                widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            )
        if address_reasons:
            why = "Why we ask: " + " ".join(address_reasons)
            self.fields["address_line1"] = _address_field(
                "address_line1", "Street address", "address-line1", why
            )
            self.fields["address_line2"] = _address_field(
                "address_line2", "Apartment, suite or building", "address-line2", required=False
            )
            self.fields["city"] = _address_field("city", "Town or city", "address-level2")
            self.fields["region"] = _address_field(
                "region", "State, province or region", "address-level1", required=False
            )
            self.fields["postal_code"] = _address_field(
                "postal_code", "ZIP or postal code", "postal-code"
            )
            self.fields["country"] = _address_field("country", "Country", "country-name")
        if ask_age:
            self.fields["age_confirmed"] = AgeConfirmationField()
        for purpose in elections:
            self.fields[purpose.value] = election_field(purpose)

    def clean(self):
        data = super().clean()
        notice_version_check(self, self.partner)
        return data

    @property
    def election_fields(self):
        return [self[name] for name in self.fields if name in Purpose.values]

    @property
    def address_fields(self):
        return [self[name] for name in self.fields if name in ADDRESS_FIELDS]


def _address_field(name, label, autocomplete, help_text="", required=True):
    return forms.CharField(
        label=label,
        # As long as the order keeps it: no shorter, so that an address the contest
        # form takes is not refused here.
        max_length=Order._meta.get_field(name).max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class SandboxPaymentForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(choice, choice) for choice in SandboxOutcome.CHOICES])


class OrderFindForm(forms.Form):
    """A guest's way back to their orders when the e-mailed link is lost or too old."""

    email = AddressField(
        label="E-mail address",
        help_text="The address you gave at checkout. We e-mail it new links; we never "
        "show orders on this page.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
