"""Every staff role's effective admin rights equal the declared least-privilege table."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.roles import ROLE_NAMES, ROLE_PERMISSIONS
from accounts.tests.factories import UserFactory

ACTIONS = ("view", "add", "change", "delete")


def admin_rights(user, rf) -> set[str]:
    request = rf.get("/admin/")
    request.user = user
    rights = set()
    for model, model_admin in admin.site._registry.items():
        for action in ACTIONS:
            if getattr(model_admin, f"has_{action}_permission")(request):
                rights.add(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    return rights


def declared_admin_rights(role: str) -> set[str]:
    """The table's model permissions on models that have an admin."""
    registered = {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in admin.site._registry
        for action in ACTIONS
    }
    return ROLE_PERMISSIONS[role] & registered


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_admin_rights_equal_the_declared_table(role, rf):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))

    actual = admin_rights(user, rf)
    declared = declared_admin_rights(role)

    assert sorted(actual - declared) == [], "rights the table does not declare"
    assert sorted(declared - actual) == [], "declared rights the admin refuses"


@pytest.mark.django_db
def test_staff_without_a_role_have_no_admin_rights(rf):
    assert admin_rights(UserFactory(is_staff=True), rf) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_no_role_may_delete_a_staff_account_or_a_superusers(role, rf):
    from accounts.models import User

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    request = rf.get("/admin/")
    request.user = user
    user_admin = admin.site._registry[User]

    # The table grants accounts.delete_user to erase job seekers' accounts only.
    assert not user_admin.has_delete_permission(request, UserFactory(is_staff=True))
    assert not user_admin.has_delete_permission(request, UserFactory(is_superuser=True))
    assert user_admin.has_delete_permission(request, UserFactory()) == (
        "accounts.delete_user" in ROLE_PERMISSIONS[role]
    )
