import re

import markdown
import nh3
from django.conf import settings

PLACEHOLDER = re.compile(
    r"(?P<open><?)\{\{\s*(?P<name>contact_email|contact_phone|minimum_age)\s*\}\}(?P<close>>?)"
)
# Characters that would change the meaning of a setting's value inside Markdown.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def markdown_to_html(text: str) -> str:
    """Render staff-authored Markdown to HTML that is safe to show on the site."""
    return nh3.clean(markdown.markdown(text, extensions=["extra", "sane_lists"]))


def policy_text(body: str, *, for_markdown: bool = True) -> str:
    """A policy's Markdown with its placeholders filled from the current settings:
    escaped for Markdown to render, or as they are for a reader of the source (a diff)."""
    values = {
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
        "minimum_age": str(settings.MINIMUM_AGE),
    }

    def fill(match: re.Match) -> str:
        value = values[match["name"]]
        if not for_markdown or (match["open"] and match["close"]):
            # For a reader, or in an autolink (<address>), whose inside Markdown takes
            # as written: there an escape would become part of the address.
            return match["open"] + value + match["close"]
        return match["open"] + MARKDOWN_SPECIAL.sub(r"\\\1", value) + match["close"]

    return PLACEHOLDER.sub(fill, body)


def policy_html(body: str) -> str:
    return markdown_to_html(policy_text(body))
