from django import forms

from accounts.forms import AgeConfirmationMixin, election_field
from consent.forms import AddressField
from consent.purposes import Purpose
from contests.models import POSTAL_ADDRESS_FIELDS
from partners.forms import notice_version_check, notice_version_field

FIELD_ORDER = [
    "name",
    "email",
    *POSTAL_ADDRESS_FIELDS,
    "age_confirmed",
    "marketing",
    "site_updates",
    "notice_version",
    "site_notice_version",
]


class ContestEntryForm(AgeConfirmationMixin, forms.Form):
    """P3: only what a contest needs, each field saying why (a postal address only when
    the prize is posted); P15: the age tick box;
    P4: elections unticked; P8: the versions of the notices the page showed (the
    co-sponsor's, and that of the partner whose site it is)."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="To tell you apart from other entrants and to address your prize.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = AddressField(
        label="E-mail address",
        help_text="To tell you if you win. Each address can enter once.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address_line1 = forms.CharField(
        label="Postal address",
        max_length=200,
        help_text="Where we send the prize if you win.",
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label="Address, line 2",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label="Town or city",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label="State, province or region",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label="Postal code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.CharField(
        label="Country",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    marketing = election_field(Purpose.MARKETING)
    site_updates = election_field(Purpose.SITE_UPDATES)

    def __init__(self, *args, contest, site_partner=None, **kwargs):
        self.contest = contest
        # The partner whose site the page is on has a notice of its own, unless it is
        # the co-sponsor, whose notice says more.
        self.site_partner = site_partner if site_partner != contest.partner else None
        super().__init__(*args, **kwargs)
        if not contest.prize_is_posted:
            for field in POSTAL_ADDRESS_FIELDS:
                del self.fields[field]
            self.fields["name"].help_text = "To tell you apart from other entrants."
        self.fields["notice_version"] = notice_version_field(contest.partner)
        self.fields["site_notice_version"] = notice_version_field(self.site_partner)
        self.order_fields(FIELD_ORDER)

    def clean(self):
        data = super().clean()
        # Both checked, so that a page refused for one notice comes back carrying the
        # current version of each notice it shows.
        errors = []
        for partner, field in (
            (self.contest.partner, "notice_version"),
            (self.site_partner, "site_notice_version"),
        ):
            try:
                notice_version_check(self, partner, field=field)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return data

    @property
    def elections(self) -> list[Purpose]:
        return [p for p in (Purpose.MARKETING, Purpose.SITE_UPDATES) if self.cleaned_data.get(p)]
