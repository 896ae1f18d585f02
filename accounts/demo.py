"""Demo people for the embedded default: a job seeker and one staff user per role."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import ROLE_NAMES
from consent.purposes import COMMUNICATION_PURPOSES, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, subject_get_or_create

DEMO_PASSWORD = "careerperfect-demo"  # noqa: S105 - printed for the demo on purpose
JOB_SEEKER_EMAIL = "jobseeker@example.com"


def _user(email: str, name: str, **fields) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name, **fields})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    subject_get_or_create(user=user)
    return user


def seed() -> list[tuple[str, str]]:
    """Create (or leave as they are) the demo users; return (role, e-mail) pairs."""
    from django.utils import timezone

    seeker = _user(JOB_SEEKER_EMAIL, "Jordan Seeker", age_confirmed_at=timezone.now())
    for purpose in COMMUNICATION_PURPOSES:
        if not consent_is_granted(user=seeker, purpose=purpose):
            consent_grant(
                user=seeker, purpose=purpose, source=Source.SIGNUP, evidence={"demo": True}
            )
    logins = [("Job seeker", JOB_SEEKER_EMAIL)]

    for role in ROLE_NAMES:
        email = role.lower().replace(" ", "-") + "@example.com"
        staff = _user(email, f"Demo {role}", is_staff=True)
        staff.groups.add(Group.objects.get(name=role))
        logins.append((f"Staff: {role}", email))

    _user("owner@example.com", "Demo Owner", is_staff=True, is_superuser=True)
    logins.append(("Superuser", "owner@example.com"))
    return logins
