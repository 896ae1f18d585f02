"""The consent ledger in the admin: one person's subject, read-only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import SUPPORT
from consent.purposes import Purpose, Source
from consent.services import consent_grant, consent_withdraw, subject_find
from resumes.tests.factories import staff_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("changes", [1, 20])
def test_a_subjects_page_query_count_does_not_grow_with_its_history(
    client, django_assert_num_queries, changes
):
    for _ in range(changes):
        consent_grant(email="a@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT)
        consent_withdraw(email="a@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    subject = subject_find(email="a@example.com")
    client.force_login(staff_member(SUPPORT))
    ContentType.objects.clear_cache()

    # session, user, the subject, permissions (user's, groups'), its events with their
    # versions and actors, and a content type
    with django_assert_num_queries(7):
        response = client.get(reverse("admin:consent_subject_change", args=[subject.pk]))
    assert response.status_code == 200


def test_a_privacy_officer_finds_an_erased_address_on_the_suppression_list_by_typing_it(client):
    # "I deleted my account; will you still mail me?" The subject kept of an erased
    # address holds only its digest, and must still be found by the address.
    from accounts.roles import PRIVACY_OFFICER
    from accounts.services import account_erase
    from accounts.tests.factories import UserFactory

    person = UserFactory(email="gone@example.com")
    consent_grant(user=person, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    account_erase(user=person)
    consent_grant(email="other@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT)
    erased = subject_find(email="gone@example.com")
    client.force_login(staff_member(PRIVACY_OFFICER))

    response = client.get(reverse("admin:consent_subject_changelist"), {"q": "Gone@Example.com"})

    assert list(response.context["cl"].result_list) == [erased]
