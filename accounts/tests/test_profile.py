"""P6: the "help us improve" questions are optional, editable and deletable."""

import re

import pytest
from django.urls import reverse

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from accounts.unsent_forms import OWNER_FIELD, SESSION_KEY, owner_token

URL = reverse("accounts:profile")
DELETE_URL = reverse("accounts:profile_delete")

ANSWERS = {
    "interests": "Data analysis and logistics",
    "job_types": ["full_time", "remote"],
    "job_titles": "Logistics coordinator",
    "site_likes": "The writer was quick",
    "site_dislikes": "Too many steps at checkout",
}


@pytest.fixture
def alice(client):
    user = UserFactory(email="alice@example.com")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_every_question_is_marked_optional_and_none_is_required(client, alice):
    html = client.get(URL).content.decode()

    assert "Every question here is optional" in html
    assert html.count('<span class="optional">(optional)</span>') == len(ANSWERS)
    form = re.search(rf'<form method="post" action="{URL}".*?</form>', html, re.S).group(0)
    controls = re.findall(r"<(?:input|textarea|select)\b[^>]*>", form)
    assert len(controls) > len(ANSWERS)
    assert [c for c in controls if re.search(r"\srequired\b", c)] == []


@pytest.mark.django_db
def test_signup_does_not_ask_these_questions(client):
    html = client.get(reverse("account_signup")).content.decode()

    for name in ANSWERS:
        assert f'name="{name}"' not in html


@pytest.mark.django_db
def test_sending_the_form_empty_stores_nothing(client, alice):
    response = client.post(URL, {})

    assert response.status_code == 302
    assert Profile.objects.count() == 0


@pytest.mark.django_db
def test_answers_are_saved_and_shown_again_for_editing(client, alice):
    client.post(URL, ANSWERS)

    profile = Profile.objects.get(user=alice)
    assert profile.interests == "Data analysis and logistics"
    assert profile.job_types == ["full_time", "remote"]
    html = client.get(URL).content.decode()
    assert "Too many steps at checkout" in html
    assert re.search(r'<input[^>]*value="remote"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="contract"[^>]*checked', html)


@pytest.mark.django_db
def test_answers_can_be_changed_one_by_one(client, alice):
    client.post(URL, ANSWERS)

    client.post(URL, {**ANSWERS, "site_dislikes": "", "job_types": ["part_time"]})

    profile = Profile.objects.get(user=alice)
    assert profile.site_dislikes == ""
    assert profile.job_types == ["part_time"]
    assert profile.site_likes == "The writer was quick"


@pytest.mark.django_db
def test_answers_can_be_deleted(client, alice):
    client.post(URL, ANSWERS)

    response = client.post(DELETE_URL, follow=True)

    assert Profile.objects.count() == 0
    assert "Your answers are deleted." in response.content.decode()
    assert "Data analysis" not in response.content.decode()


@pytest.mark.django_db
def test_deleting_the_answers_is_confirmed_on_a_page_of_its_own(client, alice):
    client.post(URL, ANSWERS)

    page = client.get(URL).content.decode()
    confirm = client.get(DELETE_URL)

    # The answers page only leads to the question; nothing there deletes in one press.
    assert f'action="{DELETE_URL}"' not in page
    assert f'href="{DELETE_URL}"' in page
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "It cannot be undone" in html
    assert f'<form method="post" action="{DELETE_URL}">' in html
    assert f'<a href="{URL}">Keep them</a>' in html
    assert Profile.objects.count() == 1


@pytest.mark.django_db
def test_with_no_answers_there_is_nothing_to_confirm(client, alice):
    response = client.get(DELETE_URL)

    assert response.status_code == 302
    assert response.url == URL


@pytest.mark.django_db
def test_clearing_every_answer_deletes_them(client, alice):
    client.post(URL, ANSWERS)

    client.post(URL, {})

    assert Profile.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_job_type_is_refused(client, alice):
    response = client.post(URL, {"job_types": ["astronaut"]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.count() == 0


@pytest.mark.django_db
def test_a_person_sees_and_deletes_only_their_own_answers(client, alice):
    bob = UserFactory(email="bob@example.com")
    Profile.objects.create(user=bob, interests="Bob's secret interest")

    html = client.get(URL).content.decode()
    client.post(DELETE_URL)

    assert "secret interest" not in html
    assert Profile.objects.filter(user=bob).exists()


@pytest.mark.django_db
def test_my_privacy_links_to_the_questions(client, alice):
    html = client.get(reverse("accounts:privacy")).content.decode()

    assert f'href="{URL}"' in html
    assert "Help us improve (optional)" in html


@pytest.mark.django_db
def test_deleting_answers_also_drops_answers_kept_from_a_form_sent_signed_out(client, alice):
    client.post(URL, ANSWERS)
    # Changed after the session ended: what was typed is kept for after signing in.
    client.logout()
    client.post(URL, {"interests": "Marine biology", OWNER_FIELD: owner_token(alice)})
    client.force_login(alice)
    assert "Marine biology" in client.get(URL).content.decode()

    response = client.post(DELETE_URL, follow=True)

    assert Profile.objects.count() == 0
    assert "Marine biology" not in response.content.decode()
    assert SESSION_KEY not in client.session
