"""Every cookie the site sets (P13), and the only way optional ones are set.

A response setting any cookie not listed here is a defect, and so is an optional
cookie set without the visitor's choice allowing its category: the crawl test in
privacy/tests/test_cookie_crawl.py fails on either.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models

from consent.purposes import Purpose


class Category(models.TextChoices):
    NECESSARY = "necessary", "Necessary"
    PREFERENCES = "preferences", "Preferences"
    ANALYTICS = "analytics", "Analytics"


CATEGORY_TEXT = {
    Category.NECESSARY: (
        "Needed for the site to work: signing in, sending forms safely and remembering "
        "your cookie choices. They cannot be switched off."
    ),
    Category.PREFERENCES: "Remember things you chose, so you need not type them again.",
    Category.ANALYTICS: (
        "Would help us count visits. We set none: our visitor figures are anonymous counts "
        "that need no cookie."
    ),
}


@dataclass(frozen=True)
class Cookie:
    name: str
    category: Category
    purpose: str
    lifetime: str
    # Seconds, for the cookies set through cookie_set(); None: until the browser closes.
    max_age: int | None = None


CHOICES_COOKIE = "cp_cookies"
REMEMBERED_EMAIL_COOKIE = "cp_email"

COOKIES = (
    Cookie(
        settings.SESSION_COOKIE_NAME,
        Category.NECESSARY,
        "Keeps you signed in and remembers your cart between pages. If you were signed "
        "out before a form you filled in was sent, it keeps that form for a day, until "
        "you sign in and send it or discard it.",
        "Two weeks; until you close the browser when you sign in without “Keep me signed "
        "in”; it ends when you sign out",
    ),
    Cookie(
        settings.CSRF_COOKIE_NAME,
        Category.NECESSARY,
        "Protects forms against being submitted by other sites in your name.",
        "One year",
    ),
    Cookie(
        CHOICES_COOKIE,
        Category.NECESSARY,
        "Remembers which cookies you accepted, so that we do not ask on every page.",
        "Six months",
        max_age=int(timedelta(days=182).total_seconds()),
    ),
    Cookie(
        REMEMBERED_EMAIL_COOKIE,
        Category.PREFERENCES,
        "Fills in your e-mail address on the sign-in form.",
        "One year",
        max_age=int(timedelta(days=365).total_seconds()),
    ),
)
REGISTRY = {cookie.name: cookie for cookie in COOKIES}

# A signed-in person's choice for an optional category is also a consent-ledger event.
CATEGORY_PURPOSE = {Category.PREFERENCES: Purpose.COOKIES_PREFERENCES}


def categories_offered() -> list[Category]:
    """The optional categories the site actually sets cookies of: the visitor's choice."""
    used = {cookie.category for cookie in COOKIES}
    return [
        category for category in Category if category != Category.NECESSARY and category in used
    ]


@dataclass(frozen=True)
class CookieChoices:
    granted: frozenset[Category]

    def allows(self, category: Category) -> bool:
        return category == Category.NECESSARY or category in self.granted

    def cookie_value(self) -> str:
        return ":".join([Category.NECESSARY, *sorted(self.granted)])

    @classmethod
    def parse(cls, value: str | None) -> "CookieChoices | None":
        if not value:
            return None
        names = value.split(":")
        if names[0] != Category.NECESSARY:
            return None
        return cls(frozenset(Category(n) for n in names[1:] if n in Category.values))


def cookie_choices(request) -> CookieChoices | None:
    """The choice this browser made, or None when it has not chosen yet."""
    return CookieChoices.parse(request.COOKIES.get(CHOICES_COOKIE))


def cookie_allowed(request, name: str) -> bool:
    category = REGISTRY[name].category
    if category == Category.NECESSARY:
        return True
    choices = cookie_choices(request)
    return choices is not None and choices.allows(category)


def cookie_set(response, request, *, name: str, value: str) -> bool:
    """Set a registered cookie if the visitor's choices allow it; True when set."""
    if not cookie_allowed(request, name):
        return False
    response.set_cookie(
        name,
        value,
        max_age=REGISTRY[name].max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return True


def cookie_choices_apply(response, request, *, choices: CookieChoices) -> None:
    """Store a new choice in its cookie and remove cookies of refused categories."""
    response.set_cookie(
        CHOICES_COOKIE,
        choices.cookie_value(),
        max_age=REGISTRY[CHOICES_COOKIE].max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    for cookie in COOKIES:
        if not choices.allows(cookie.category):
            cookie_delete(response, request, name=cookie.name)


def cookie_delete(response, request, *, name: str) -> bool:
    """Remove a registered cookie from the browser, if it sent one; True when removed."""
    if name not in REGISTRY:
        raise KeyError(f"{name} is not in the cookie registry")
    if name not in request.COOKIES:
        return False
    response.delete_cookie(name, samesite="Lax")
    return True


def remembered_email(request) -> str:
    """The e-mail address to fill in on the sign-in form, if the visitor allowed it."""
    if not cookie_allowed(request, REMEMBERED_EMAIL_COOKIE):
        return ""
    return request.COOKIES.get(REMEMBERED_EMAIL_COOKIE, "")[:254]
