from django import forms

from partners.models import Partner
from privacy.cookies import CATEGORY_TEXT, Category, CookieChoices, categories_offered
from privacy.models import Disclosure
from privacy.selectors import person_on_record
from privacy.services import PartnerReportScope


class CookieChoicesForm(forms.Form):
    """The banner's three buttons and the cookies page's tick boxes, in one form.

    The page to go back to ("next") is no field of it: the view checks it is a path
    of this site, and a choice made on a page with a long address must still count.
    """

    choice = forms.ChoiceField(
        choices=[
            ("all", "Accept all"),
            ("necessary", "Reject non-essential"),
            ("custom", "Save my choices"),
        ]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in categories_offered():
            self.fields[category.value] = forms.BooleanField(
                label=f"{category.label} cookies", help_text=CATEGORY_TEXT[category], required=False
            )

    def choices(self) -> CookieChoices:
        choice = self.cleaned_data["choice"]
        offered = categories_offered()
        if choice == "all":
            granted = set(offered)
        elif choice == "necessary":
            granted = set()
        else:
            granted = {category for category in offered if self.cleaned_data.get(category.value)}
        return CookieChoices(frozenset(Category(c) for c in granted))


class DisclosureRecordForm(forms.Form):
    """A Privacy Officer records a disclosure the law required (P7)."""

    BASES = [
        (Disclosure.Basis.LEGAL_REQUIREMENT, Disclosure.Basis.LEGAL_REQUIREMENT.label),
        (Disclosure.Basis.PROTECTION, Disclosure.Basis.PROTECTION.label),
    ]

    recipient = forms.CharField(
        max_length=200, help_text="Who received the data, e.g. the court or authority."
    )
    basis = forms.ChoiceField(choices=BASES, initial=Disclosure.Basis.LEGAL_REQUIREMENT)
    reference = forms.CharField(
        max_length=200, help_text="The order, request or case number the disclosure answered."
    )
    data_categories = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was disclosed, one kind per line, e.g. “name”, “order history”.",
    )
    emails = forms.CharField(
        label="People concerned",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Their e-mail addresses, one per line, as they are on record.",
    )
    shown_to_subject = forms.BooleanField(
        label="Show this entry to the people concerned on My privacy",
        required=False,
        initial=True,
        help_text="Untick only when the legal requirement forbids telling them.",
    )

    def clean_data_categories(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["data_categories"].splitlines()]
        return [line for line in lines if line]

    def clean_emails(self) -> list[str]:
        addresses = self.cleaned_data["emails"].split()
        unknown = [address for address in addresses if not person_on_record(email=address)]
        if unknown:
            raise forms.ValidationError(
                "No one is on record with: %(unknown)s.", params={"unknown": ", ".join(unknown)}
            )
        if not addresses:
            raise forms.ValidationError("Give at least one address.")
        return addresses

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("shown_to_subject")
            and cleaned.get("basis") != Disclosure.Basis.LEGAL_REQUIREMENT
        ):
            self.add_error(
                "shown_to_subject",
                "Only a disclosure the law required may be hidden from the person.",
            )
        return cleaned


WEEK_CHOICES = [(4, "4 weeks"), (12, "12 weeks"), (26, "26 weeks"), (52, "52 weeks")]


class UsageFilterForm(forms.Form):
    site = forms.ChoiceField(required=False)
    weeks = forms.TypedChoiceField(choices=WEEK_CHOICES, coerce=int, initial=12, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [
            ("", "All sites"),
            ("main", "Main site"),
            *((p.slug, f"{p.name} co-branded site") for p in Partner.objects.all()),
        ]

    def selected(self) -> tuple[str | None, int]:
        """(site for usage_weekly, weeks), falling back to all sites and 12 weeks."""
        if not self.is_valid():
            return None, 12
        site = self.cleaned_data["site"]
        return ({"": None, "main": ""}.get(site, site), self.cleaned_data["weeks"] or 12)


class PartnerReportForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(), help_text="The partner the report is for."
    )
    scope = forms.ChoiceField(choices=PartnerReportScope.choices)
    weeks = forms.TypedChoiceField(choices=WEEK_CHOICES, coerce=int, initial=12)
