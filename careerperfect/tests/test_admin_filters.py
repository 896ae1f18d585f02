"""No changelist can be narrowed to one person by a filter it does not offer: Django
takes any of a model's own fields from the URL (?user__id__exact=…), which would tie
rows a role sees without names (answers, sittings) to the person behind them."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import UserFactory
from careerperfect.admin_mixins import ListedFiltersOnlyMixin

OUR_APPS = {app.split(".")[0] for app in settings.INSTALLED_APPS if "." not in app}


def person_links():
    """(admin, field name) for every field of a model in our admin that points at an
    account or a consent subject, where the admin does not offer it as a filter."""
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if target is None or f"{target._meta.app_label}.{target.__name__}" not in {
                settings.AUTH_USER_MODEL,
                "consent.Subject",
            }:
                continue
            yield pytest.param(model, field.name, id=f"{model._meta.label}.{field.name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "field"), list(person_links()))
def test_a_changelist_refuses_a_person_filter_it_does_not_offer(client, model, field):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    offered = ListedFiltersOnlyMixin._filter_names(admin.site._registry[model], None)

    response = client.get(url, {f"{field}__id__exact": "1"})

    assert response.status_code == (200 if field in offered else 400)


def test_every_admin_of_ours_takes_only_the_filters_it_lists():
    ours = [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]
    assert [a for a in ours if not isinstance(a, ListedFiltersOnlyMixin)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["sittings__id__exact", "sittings__isnull"])
def test_the_account_list_cannot_say_who_took_an_assessment(client, lookup):
    # Support opens sittings by number (with no person on them) and sees accounts.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:accounts_user_changelist"), {lookup: "1"})

    assert response.status_code == 400
