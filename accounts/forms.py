from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Profile
from accounts.services import account_signup_complete
from consent.purposes import COMMUNICATION_PURPOSES, ELECTION_TEXT, Purpose
from partners.forms import notice_version_check, notice_version_field
from partners.selectors import partner_of_request
from partners.services import co_brand_registration_record
from privacy.cookies import remembered_email


def age_refusal_message() -> str:
    return (
        f"Tick this box if you are {settings.MINIMUM_AGE} or older. We do not collect "
        f"information from children under {settings.MINIMUM_AGE}, so nothing you entered "
        "has been saved."
    )


class AgeConfirmationField(forms.BooleanField):
    """P15: a required tick box; refusing it stores nothing and says why."""

    def __init__(self, **kwargs):
        super().__init__(
            label=f"I am {settings.MINIMUM_AGE} or older.",
            help_text=(
                "We ask so that we never collect information from children "
                f"under {settings.MINIMUM_AGE}."
            ),
            error_messages={"required": age_refusal_message()},
            **kwargs,
        )


class AgeConfirmationMixin:
    """Adds the age tick box, rebuilt per form so that its text follows the setting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_confirmed"] = AgeConfirmationField()


def election_field(purpose: Purpose) -> forms.BooleanField:
    """P4: an election is a separate tick box that starts unticked."""
    return forms.BooleanField(
        label=ELECTION_TEXT[purpose], required=False, initial=False, label_suffix=""
    )


class SignupForm(AgeConfirmationMixin, AllauthSignupForm):
    name = forms.CharField(
        max_length=150,
        label="Your name",
        help_text="So that your writer and our e-mails can address you properly.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    age_confirmed = AgeConfirmationField()
    marketing = election_field(Purpose.MARKETING)
    site_updates = election_field(Purpose.SITE_UPDATES)

    field_order = ["email", "password1", "name", "age_confirmed", "marketing", "site_updates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields[
            "email"
        ].help_text = "You sign in with it, and we send your receipts and resume drafts to it."
        # allauth does not hand its signup form the request; it keeps it in its context.
        self.partner = partner_of_request(allauth_context.request)
        self.fields["notice_version"] = notice_version_field(self.partner)

    def clean(self):
        data = super().clean()
        notice_version_check(self, self.partner)
        return data

    def try_save(self, request):
        if self.account_already_exists:
            # A new account's password is hashed, most of what a signup costs: without
            # the same work here, an address that has an account was answered many
            # times faster, telling anyone so (ACCOUNT_PREVENT_ENUMERATION).
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def save(self, request):
        with transaction.atomic():
            user = super().save(request)
            account_signup_complete(
                user=user,
                name=self.cleaned_data["name"],
                elections=[p for p in COMMUNICATION_PURPOSES if self.cleaned_data.get(p.value)],
            )
            co_brand_registration_record(user=user, partner=self.partner)
        return user


class ElectionsForm(forms.Form):
    """My privacy: the elections a person can change at any time."""

    marketing = election_field(Purpose.MARKETING)
    site_updates = election_field(Purpose.SITE_UPDATES)
    resume_disclosure = election_field(Purpose.RESUME_DISCLOSURE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each box carries, hidden, the state the page showed: see shown().
        for field in self.fields.values():
            field.show_hidden_initial = True

    def shown(self) -> dict[Purpose, bool]:
        """Each box as the page showed it, for the boxes whose page said (a form from
        before these hidden fields existed says nothing)."""
        shown = {}
        for name, field in self.fields.items():
            key = self.add_initial_prefix(name)
            if key in self.data:
                shown[Purpose(name)] = field.to_python(self.data[key])
        return shown


class LoginForm(AllauthLoginForm):
    """Sign-in, with the e-mail address filled in when a preferences cookie holds it (P13)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail address"
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"
        if not self.is_bound and self.request is not None:
            self.fields["login"].initial = remembered_email(self.request)


class ProfileForm(forms.Form):
    """P6: "help us improve". Every question is optional."""

    interests = forms.CharField(
        label="What are you interested in?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Fields, skills or subjects you would like to work in or learn about.",
    )
    job_types = forms.MultipleChoiceField(
        label="Which kinds of job do you want?",
        required=False,
        choices=Profile.JobType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    job_titles = forms.CharField(
        label="Which jobs are you looking for?",
        required=False,
        max_length=300,
        help_text="Job titles, e.g. “bookkeeper, office manager”.",
    )
    site_likes = forms.CharField(
        label="What do you like about CareerPerfect?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    site_dislikes = forms.CharField(
        label="What do you dislike, or miss?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AccountDeleteForm(forms.Form):
    confirm_email = forms.EmailField(
        label="Type your e-mail address to confirm",
        help_text="This cannot be undone.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self):
        typed = self.cleaned_data["confirm_email"]
        if typed.strip().lower() != self.user.email.lower():
            raise forms.ValidationError("That is not the address of this account.")
        return typed
