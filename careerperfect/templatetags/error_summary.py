"""The error summary at the top of a form sent with mistakes (includes/form_errors.html)."""

from dataclasses import dataclass, field

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField

register = template.Library()


@dataclass
class FieldError:
    target: str  # the id of the control the summary's link moves to
    label: str
    message: str

    @property
    def text(self) -> str:
        # "Town or city: This field is required.", "I am 13 or older. Tick this box …"
        label = str(self.label).strip().rstrip(":")
        joint = " " if label.endswith((".", "?", "!")) else ": "
        return f"{label}{joint}{self.message}"


@dataclass
class ErrorSummary:
    messages: list[str] = field(default_factory=list)  # about the form as a whole
    fields: list[FieldError] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.messages or self.fields)


def _target(bound_field: BoundField) -> str:
    # A radio or tick-box group has no single control its label is for: its first
    # option is where the person answers.
    if bound_field.id_for_label:
        return bound_field.id_for_label
    subwidgets = bound_field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else bound_field.auto_id


def _collect(form: BaseForm, summary: ErrorSummary) -> None:
    summary.messages.extend(form.non_field_errors())
    for bound_field in form:
        for message in bound_field.errors:
            if bound_field.is_hidden:
                # Nothing to move to: said about the form as a whole.
                summary.messages.append(message)
            else:
                summary.fields.append(FieldError(_target(bound_field), bound_field.label, message))


@register.filter
def error_summary(form) -> ErrorSummary:
    """What a bound form or formset got wrong, for the summary and the page title;
    empty for anything else (a page's `form` may be unbound, or no form at all)."""
    summary = ErrorSummary()
    if isinstance(form, BaseFormSet) and form.is_bound:
        summary.messages.extend(form.non_form_errors())
        for entry in form.forms:
            _collect(entry, summary)
    elif isinstance(form, BaseForm) and form.is_bound:
        _collect(form, summary)
    return summary
