from django.urls import path, register_converter

from privacy import views
from privacy.models import PolicyVersion


class DocumentConverter:
    """The URL prefix of a policy document: /privacy/…, /safe-and-secure/…"""

    by_prefix = {
        "privacy": PolicyVersion.Document.PRIVACY_POLICY,
        "safe-and-secure": PolicyVersion.Document.SAFE_AND_SECURE,
    }
    regex = "|".join(by_prefix)

    def to_python(self, value: str) -> str:
        return self.by_prefix[value]

    def to_url(self, value: str) -> str:
        return next(prefix for prefix, document in self.by_prefix.items() if document == value)


register_converter(DocumentConverter, "document")

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.policy_current, name="policy"),
    path("safe-and-secure/", views.safe_and_secure_current, name="safe_and_secure"),
    path("<document:document>/versions/", views.policy_archive, name="archive"),
    path("<document:document>/versions/<int:version>/", views.policy_version, name="version"),
    path(
        "<document:document>/versions/<int:version>/changes/",
        views.policy_changes,
        name="changes",
    ),
    path("cookies/", views.cookies, name="cookies"),
    path("cookies/choices/", views.cookie_choices_save, name="cookie_choices"),
]
