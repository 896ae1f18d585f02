from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.forms import AddressField

EARLIEST_YEAR = 1940


class NotAfterYear:
    """A year no later than this year plus `years_ahead`, decided when validating."""

    def __init__(self, years_ahead: int = 0):
        self.years_ahead = years_ahead

    def __call__(self, value: int) -> None:
        latest = timezone.now().year + self.years_ahead
        if value > latest:
            raise ValidationError(f"Enter a year up to {latest}.", code="max_value")


def year_field(label: str, *, required: bool, years_ahead: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=EARLIEST_YEAR,
        validators=[NotAfterYear(years_ahead)],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": f"Enter a year from {EARLIEST_YEAR} on.",
            "invalid": "Enter a year as four digits, like 2019.",
            "required": "Enter the year, like 2019.",
        },
    )


class StepForm(forms.Form):
    """A questionnaire step. Partial (saved on the way back), it takes what is filled
    in and leaves required answers for later: sending checks they are there."""

    def __init__(self, *args, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if partial:
            for field in self.fields.values():
                field.required = False


class TargetForm(StepForm):
    target_job = forms.CharField(
        label="The job you are aiming for",
        max_length=150,
        help_text="For example “Senior data analyst” or “Primary school teacher”.",
        error_messages={"required": "Tell us the job you are aiming for."},
    )
    industry = forms.CharField(
        label="Industry",
        max_length=150,
        help_text="For example “Healthcare” or “Retail banking”.",
        error_messages={"required": "Tell us the industry you want to work in."},
    )


class WorkEntryForm(forms.Form):
    job_title = forms.CharField(label="Job title", max_length=150)
    employer = forms.CharField(label="Employer", max_length=150)
    start_year = year_field("Started (year)", required=True)
    end_year = year_field("Left (year)", required=False)
    achievements = forms.CharField(
        label="What you did and achieved",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_year"].help_text = "Leave empty if you still work there."

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", "The year you left cannot be before the year you started.")
        return cleaned


class EducationEntryForm(forms.Form):
    institution = forms.CharField(label="School, college or university", max_length=150)
    qualification = forms.CharField(
        label="Qualification", max_length=150, help_text="For example “BSc Biology”."
    )
    year = year_field("Year completed", required=False, years_ahead=6)


class EntryFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this entry"

    def entries(self) -> list[dict]:
        """The entries to keep: filled-in forms not ticked for removal."""
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


# absolute_max: a forged form count builds no more forms than a person may send
# (Django's default would build and render a thousand more, seconds of work per request).
WorkFormSet = forms.formset_factory(
    WorkEntryForm,
    formset=EntryFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)
EducationFormSet = forms.formset_factory(
    EducationEntryForm,
    formset=EntryFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    absolute_max=20,
    validate_max=True,
)


class SkillsForm(StepForm):
    skills = forms.CharField(
        label="Your skills",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text="One per line is fine: tools, languages, what you are good at.",
        error_messages={"required": "List at least one skill."},
    )
    certifications = forms.CharField(
        label="Certifications and licences",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label="Anything else your writer should know",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=6000,
        help_text="Gaps you want explained, what to leave out, the tone you like.",
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Your current resume",
        # Emptiness, size and type are judged on the content, by resumes.documents.
        allow_empty_file=True,
        help_text="PDF, Word (DOCX), OpenDocument (ODT) or plain text (TXT).",
        error_messages={"required": "Choose the file that holds your resume."},
    )


class DraftUploadForm(forms.Form):
    file = forms.FileField(
        label="Draft",
        allow_empty_file=True,
        help_text="PDF, Word (DOCX), OpenDocument (ODT) or plain text (TXT).",
        error_messages={"required": "Choose the draft to upload."},
    )
    note = forms.CharField(
        label="Note to the customer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


PAGE_OUT_OF_DATE = "This page was out of date. Read the latest draft, then decide again."


class ReviewForm(forms.Form):
    # The draft the page showed: the decision is about that draft and no later one.
    draft = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": PAGE_OUT_OF_DATE, "invalid": PAGE_OUT_OF_DATE},
    )
    comment = forms.CharField(
        label="What should your writer change?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        help_text="Needed when you ask for a revision. If you approve, your writer gets it too.",
        error_messages={"max_length": "Your comment is too long; please shorten it."},
    )

    def clean(self):
        data = super().clean()
        # The decision is the button pressed; a revision needs to say what to change.
        if self.data.get("decision") != "approve" and not data.get("comment", "x").strip():
            self.add_error("comment", "Tell your writer what to change.")
        return data


class ShareForm(forms.Form):
    recipient_name = forms.CharField(
        label="Recipient",
        max_length=150,
        help_text="The employer, recruiter or resume database, e.g. “Acme Ltd, hiring team”.",
        error_messages={"required": "Name the recipient."},
    )
    recipient_email = AddressField(
        label="Recipient's e-mail address",
        help_text="We e-mail them a download link; it stops working if you revoke.",
        error_messages={
            "required": "Enter the recipient's e-mail address.",
            "invalid": "Enter an e-mail address like name@example.com.",
        },
    )
    authorize = forms.BooleanField(
        error_messages={"required": "Tick the box to authorize sending to this recipient."},
    )

    def __init__(self, *args, document: str = "resume", **kwargs):
        """`document` names what is sent: "resume" or "cover letter"."""
        super().__init__(*args, **kwargs)
        authorize = self.fields["authorize"]
        authorize.label = (
            f"I authorize CareerPerfect to send my final {document} to this recipient."
        )
