"""Every admin answers ids that no row can have ('abc', a number wider than the column)
with an error message, never a server error: in the rows selected for an action, and
in the choices of a form. Walks every registered admin, so a new one is covered."""

import io

import pytest
from django import forms
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory

NOT_IDS = ["abc", "1.5", "\x00", "99999999999999999999", "-99999999999999999999"]


def url_of(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model", [pytest.param(model, id=model._meta.label) for model in admin.site._registry]
)
def test_an_action_on_rows_no_list_can_have_is_refused_with_a_message(client, rf, superuser, model):
    client.force_login(superuser)
    request = rf.get("/")
    request.user = superuser
    changelist = url_of(model, "changelist")

    for action in admin.site.get_model_admin(model).get_actions(request):
        for value in NOT_IDS:
            response = client.post(
                changelist,
                {"action": action, "_selected_action": value, "index": "0"},
                follow=True,
            )

            assert response.status_code == 200, (action, value)
            assert [str(m) for m in response.context["messages"]] == [
                "The selection names a row this list cannot have. No items have been changed."
            ]


def form_choice_fields(model_admin, request, obj):
    form = model_admin.get_form(request, obj, change=obj is not None)
    return [
        name
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    ]


def forms_to_post(superuser, rf):
    """(url, admin, model label) of every add and change form, on one object of each model."""
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_add_permission(request):
            yield url_of(model, "add"), form_choice_fields(model_admin, request, None)
        obj = model._default_manager.first()
        if obj is not None and model_admin.has_change_permission(request, obj):
            yield url_of(model, "change", obj.pk), form_choice_fields(model_admin, request, obj)


def test_every_admin_form_shows_a_choice_no_row_can_have_as_a_field_error(client, rf, superuser):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(superuser)
    walked, failures = set(), []

    for url, names in forms_to_post(superuser, rf):
        for name in names:
            walked.add((url.split("/")[3], name))
            for value in NOT_IDS:
                response = client.post(url, {name: [value]})
                if (
                    response.status_code != 200
                    or name not in response.context["adminform"].form.errors
                ):
                    failures.append((url, name, value, response.status_code))

    assert failures == []
    # The many-to-many choices that had no check of their own, on SQLite.
    assert {("group", "permissions"), ("user", "groups"), ("product", "components")} <= walked
