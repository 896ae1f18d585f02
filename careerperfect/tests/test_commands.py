import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import ROLE_NAMES, ROLE_PERMISSIONS
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.services import consent_grant


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = (User.objects.count(), ConsentEvent.objects.count())
    call_command("seed_demo", url="http://127.0.0.1:8000/")
    out = capsys.readouterr().out

    assert (User.objects.count(), ConsentEvent.objects.count()) == first
    assert "jobseeker@example.com" in out
    assert "http://127.0.0.1:8000/" in out
    for role in ROLE_NAMES:
        assert User.objects.filter(groups__name=role, is_staff=True).exists()


@pytest.mark.django_db
def test_consent_status_prints_each_purpose(capsys):
    call_command("seed_demo")
    capsys.readouterr()

    call_command("consent_status", "JobSeeker@Example.COM")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("marketing: granted since ")
    assert lines[0].endswith("(signup)")
    assert lines[1].startswith("site_updates: granted since ")
    assert lines[2] == "resume_disclosure: none"


@pytest.mark.django_db
def test_consent_status_says_when_a_grant_is_not_in_force_yet(capsys):
    consent_grant(email="gina@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT)

    call_command("consent_status", "gina@example.com")

    marketing = capsys.readouterr().out.splitlines()[0]
    assert marketing.startswith("marketing: granted, not in force: waits for the owner")


@pytest.mark.django_db
def test_consent_status_for_an_unknown_address_says_none(capsys):
    call_command("consent_status", "nobody@example.com")

    assert capsys.readouterr().out.splitlines() == [f"{purpose}: none" for purpose in Purpose]


@pytest.mark.django_db
def test_consent_status_rejects_what_is_not_an_address():
    with pytest.raises(CommandError):
        call_command("consent_status", "not-an-address")


@pytest.mark.django_db
def test_staff_groups_hold_exactly_their_declared_permissions():
    for name in ROLE_NAMES:
        held = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == ROLE_PERMISSIONS[name], name
