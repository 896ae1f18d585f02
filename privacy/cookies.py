"""Every cookie the site sets (P13). A response setting any other cookie is a defect."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models


class Category(models.TextChoices):
    NECESSARY = "necessary", "Necessary"
    PREFERENCES = "preferences", "Preferences"
    ANALYTICS = "analytics", "Analytics"


@dataclass(frozen=True)
class Cookie:
    name: str
    category: Category
    purpose: str
    lifetime: str


COOKIES = (
    Cookie(
        settings.SESSION_COOKIE_NAME,
        Category.NECESSARY,
        "Keeps you signed in and remembers your cart between pages.",
        "Two weeks, or until you sign out",
    ),
    Cookie(
        settings.CSRF_COOKIE_NAME,
        Category.NECESSARY,
        "Protects forms against being submitted by other sites in your name.",
        "One year",
    ),
)
