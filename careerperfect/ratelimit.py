"""Rate limits of our own public forms, through allauth's limiter (ACCOUNT_RATE_LIMITS)."""

from allauth.core.ratelimit import consume
from django import forms
from django.http import HttpRequest

TOO_MANY = (
    "This form has been sent too many times in a short time. Please try again later: "
    "what you typed is still here."
)


def form_submission_allow(
    request: HttpRequest, *, form: forms.Form, action: str, key: str | None = None
) -> bool:
    """Count one submission of a valid form against the action's limit (per `key` too,
    when the action's rates are per key). Only valid ones count, so that correcting
    mistakes uses none of it; past the limit, the form gets an error saying so, and the
    page shown again keeps what was typed."""
    if consume(request, action=action, key=key):
        return True
    form.add_error(None, TOO_MANY)
    return False
