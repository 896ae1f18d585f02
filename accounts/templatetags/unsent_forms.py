from django import template
from django.utils.html import format_html

from accounts.unsent_forms import OWNER_FIELD, owner_token

register = template.Library()


@register.simple_tag(takes_context=True)
def unsent_form_owner(context):
    """In a form where people type at length: names its author, so that what they
    typed is kept for them if their session ends before they send it."""
    user = context["request"].user
    if not user.is_authenticated:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', OWNER_FIELD, owner_token(user))
