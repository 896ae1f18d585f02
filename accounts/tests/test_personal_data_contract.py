"""Every app holding personal data provides a personal_data module, and "download my
data" and "delete my account" pick each one up."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from accounts.personal_data_registry import personal_data_modules
from accounts.tests.factories import UserFactory

# Apps whose rows point at a user but whose personal data another module covers.
COVERED_ELSEWHERE = {
    "admin": "staff actions in the admin log, about staff accounts",
    "account": "allauth e-mail addresses: accounts.personal_data",
    "mfa": "two-factor methods: accounts.personal_data",
    "usersessions": "signed-in sessions: accounts.personal_data",
    "auth": "groups and permissions: staff access, not personal data",
}


def apps_with_rows_about_users() -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    labels = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is user_model and field.concrete:
                labels.add(model._meta.app_label)
    return labels


def test_the_modules_of_installed_apps_are_discovered():
    labels = [module.label for module in personal_data_modules()]

    assert {"accounts", "consent", "privacy", "feedback", "contests"} <= set(labels)
    assert labels == [app.label for app in apps.get_app_configs() if app.label in labels]


def test_every_app_that_stores_rows_about_a_user_has_a_module():
    with_module = {module.label for module in personal_data_modules()}
    missing = apps_with_rows_about_users() - with_module - set(COVERED_ELSEWHERE)

    assert missing == set(), f"add <app>/personal_data.py to: {sorted(missing)}"


def test_a_module_without_export_is_refused(monkeypatch):
    import types

    from accounts import personal_data_registry

    broken = types.ModuleType("feedback.personal_data")
    monkeypatch.setattr(personal_data_registry, "import_module", lambda name: broken)

    with pytest.raises(TypeError, match="must define export"):
        personal_data_modules()


@pytest.mark.django_db
def test_every_export_is_json_for_a_person_with_no_data_at_all():
    user = UserFactory()

    for module in personal_data_modules():
        json.dumps(module.export(user), cls=DjangoJSONEncoder)
        assert isinstance(module.export_files(user), list)
