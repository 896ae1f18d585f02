import uuid

from django import forms

from consent.forms import AddressField


class FormKeyField(forms.CharField):
    """The key a form was shown with, or None. Not the person's to get right: a page
    without a valid key is simply sent without the protection it gives, and nothing
    in it (not even a null character, which CharField refuses) makes the form fail."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.validators = []

    def to_python(self, value) -> uuid.UUID | None:
        try:
            return uuid.UUID(super().to_python(value))
        except ValueError:
            return None


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label="Your feedback",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="Tell us what worked for you and what did not.",
    )
    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        help_text="So that we know who wrote to us.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = AddressField(
        label="E-mail address",
        required=False,
        help_text="Only to reply to you and, if you publish your story, to send you the link "
        "that takes it off the site.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    publish = forms.BooleanField(
        label="Publish my feedback as a success story on the CareerPerfect Success stories page.",
        required=False,
        initial=False,
        label_suffix="",
    )
    display_name = forms.CharField(
        label="Name to show with my story",
        max_length=80,
        required=False,
        help_text="Shown exactly as you type it, e.g. “Sam, Ohio”. Needed only if you publish.",
    )

    # A new key each time the form is shown: the same page sent twice carries it twice.
    form_key = FormKeyField()

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in

    def clean(self):
        data = super().clean()
        if data.get("publish"):
            if not data.get("display_name", "").strip():
                self.add_error(
                    "display_name", "Choose the name to show with your story, or untick publishing."
                )
            if not self.signed_in and not data.get("email"):
                self.add_error(
                    "email",
                    "We need your e-mail address to send you the link that takes your story off "
                    "the site whenever you want.",
                )
        return data
