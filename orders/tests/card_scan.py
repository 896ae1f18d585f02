"""Looking for card numbers where none may be (P12)."""

import re

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

# 13 to 19 digits, maybe grouped by single spaces or dashes, not part of a longer token.
CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_numbers_in(value) -> list[str]:
    """Luhn-valid numbers of 13 to 19 digits in a value (text, number, JSON)."""
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, dict):
        return [found for item in value.items() for part in item for found in card_numbers_in(part)]
    if isinstance(value, list | tuple):
        return [found for item in value for found in card_numbers_in(item)]
    if not isinstance(value, str):
        return []
    found = []
    for match in CANDIDATE.finditer(value):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(digits)
    return found


def card_numbers_in_database() -> list[tuple[str, str]]:
    """(table, number) for every card number stored anywhere: every column of every
    table, and the decoded contents of sessions."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                hits.extend((table, number) for number in card_numbers_in(list(row)))
        cursor.execute("SELECT session_data FROM django_session")
        for (data,) in cursor.fetchall():
            hits.extend(
                ("django_session (decoded)", n)
                for n in card_numbers_in(list(SessionStore().decode(data).items()))
            )
    return hits


CARD_FIELD = re.compile(r"card|^cc[-_]|cvc|cvv|^pan$", re.IGNORECASE)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(name|id|autocomplete)="([^"]*)"', re.IGNORECASE)


def card_fields_in(html: str) -> list[str]:
    """Form fields in a page that ask for card data."""
    found = []
    for field in FIELD.findall(html):
        for attribute, value in ATTRIBUTE.findall(field):
            if CARD_FIELD.search(value) or (
                attribute.lower() == "autocomplete" and value.lower().startswith("cc-")
            ):
                found.append(field)
    return found
