import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

ADMIN = reverse("admin:index")


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(staff)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")


def test_staff_with_two_factor_reach_the_admin_when_required(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)

    assert client.get(ADMIN).status_code == 200


def test_two_factor_is_not_required_in_the_embedded_default(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(staff)

    assert client.get(ADMIN).status_code == 200


def test_non_staff_cannot_use_the_admin(client, db):
    client.force_login(UserFactory())

    response = client.get(ADMIN)

    assert response.status_code in {302, 403}
    assert "Run the business" not in response.content.decode()


def test_admin_sign_in_is_rate_limited(client, staff):
    url = reverse("account_login") + "?next=/admin/"
    for _ in range(5):
        client.post(url, {"login": staff.email, "password": "wrong"})

    response = client.post(url, {"login": staff.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_authenticators_secret_is_not_shown_or_changed_but_it_can_be_deleted(client, staff):
    owner = UserFactory(is_staff=True)
    totp = Authenticator.objects.create(
        user=owner, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXPSECRET"}
    )
    client.force_login(staff)
    change = reverse("admin:mfa_authenticator_change", args=[totp.pk])

    page = client.get(change)
    edit = client.post(change, {"user": owner.pk, "type": "totp", "data": '{"secret": "MINE"}'})
    deleted = client.post(
        reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert owner.email in page.content.decode()
    assert "JBSWY3DPEHPK3PXPSECRET" not in page.content.decode()
    assert edit.status_code == 403
    assert deleted.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def password_sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


@pytest.mark.django_db
def test_staff_without_two_factor_need_a_mailed_code_to_sign_in_when_required(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    """Their password alone would let whoever has it enrol an authenticator of theirs."""
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, email="new.staff@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = password_sign_in(client, staff)

    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert "_auth_user_id" not in client.session
    [message] = mailoutbox
    assert message.to == ["new.staff@example.com"]
    assert message.subject == "[CareerPerfect] Your staff sign-in code"
    assert "If that is not you, someone else knows your password." in message.body
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.M).group(1)
    assert client.get(response.url).status_code == 200

    client.post(reverse("account_confirm_login_code"), {"code": "WRON-GCOD"})
    assert "_auth_user_id" not in client.session
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get(ADMIN).url == reverse("mfa_index")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("is_staff", "require_mfa"),
    [(False, True), (True, False)],
    ids=["job-seeker", "two-factor-not-required"],
)
def test_others_sign_in_with_their_password_alone(client, settings, is_staff, require_mfa):
    settings.ADMIN_REQUIRE_MFA = require_mfa
    user = UserFactory(is_staff=is_staff)

    password_sign_in(client, user)

    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_staff_with_two_factor_are_asked_for_their_authenticators_code(client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = password_sign_in(client, staff)

    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
