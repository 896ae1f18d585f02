from collections.abc import Iterable

from django.utils import timezone

from consent.purposes import Purpose, Source
from consent.selectors import consent_elections
from consent.services import consent_grant, consent_withdraw, subject_get_or_create


def account_signup_complete(*, user, name: str, elections: Iterable[Purpose]) -> None:
    """Finish a signup: name, the age attestation, and one grant per ticked election."""
    user.name = name
    user.age_confirmed_at = timezone.now()
    user.save(update_fields=["name", "age_confirmed_at"])
    subject_get_or_create(user=user)
    for purpose in elections:
        consent_grant(user=user, purpose=purpose, source=Source.SIGNUP)


def account_elections_update(*, user, wanted: dict[Purpose, bool]) -> list[Purpose]:
    """Record an event for each election the person changed; return those purposes."""
    subject = subject_get_or_create(user=user)
    current = consent_elections(subject=subject)
    changed = []
    for purpose, granted in wanted.items():
        election = current.get(purpose)
        if (election.granted if election else False) == granted:
            continue
        record = consent_grant if granted else consent_withdraw
        record(user=user, purpose=purpose, source=Source.PREFERENCES)
        changed.append(purpose)
    return changed
