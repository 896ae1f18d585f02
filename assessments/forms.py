from django import forms

from assessments.models import Instrument, Item

MISSING_ANSWER = "Choose an answer for this statement."


class ItemPageForm(forms.Form):
    """One page of items, each a five-point radio group.

    With require_all, every item on the page needs an answer (going forward or
    submitting); without it (going back, saving to finish later) whatever was
    answered is kept and blanks stay blank.
    """

    def __init__(self, *args, instrument: Instrument, items: list[Item], require_all: bool, **kw):
        super().__init__(*args, **kw)
        self.items = {}
        choices = list(instrument.answer_labels.items())
        for item in items:
            name = f"item_{item.pk}"
            self.items[name] = item
            self.fields[name] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=require_all,
                widget=forms.RadioSelect,
                error_messages={"required": MISSING_ANSWER},
            )

    def answers(self) -> dict[int, int]:
        """Item id → value, for the items answered on this page."""
        return {
            self.items[name].pk: value
            for name, value in self.cleaned_data.items()
            if value is not None
        }

    def answers_given(self) -> dict[int, int]:
        """The valid answers in the submitted data even when the form has errors, so
        that moving on with one item blank still keeps the others."""
        given = {}
        for name, item in self.items.items():
            field = self.fields[name]
            try:
                value = field.clean(field.widget.value_from_datadict(self.data, self.files, name))
            except forms.ValidationError:
                continue
            if value is not None:
                given[item.pk] = value
        return given
