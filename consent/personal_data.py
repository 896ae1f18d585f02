"""The person's elections and their full consent history.

Erasing keeps a suppression: marketing and site updates are withdrawn, then the
address and the account link are forgotten, leaving the keyed digest, the withdrawn
elections and the history (the ledger's proof) in place.
"""

from allauth.account.models import EmailAddress

from consent.models import ConsentEvent, Election
from consent.selectors import subjects_for_user
from consent.services import subject_erase, subject_get_or_create


def export(user) -> dict:
    subjects = list(subjects_for_user(user=user))
    elections = Election.objects.filter(subject__in=subjects).order_by("subject", "purpose")
    events = (
        ConsentEvent.objects.filter(subject__in=subjects)
        .select_related("policy_version")
        .order_by("subject", "occurred_at", "id")
    )
    return {
        "addresses": [
            {
                "email": subject.email,
                "merged_into_account": subject.merged_into_id is not None,
                "current_elections": [
                    {
                        "purpose": e.get_purpose_display(),
                        "code": e.purpose,
                        "granted": e.granted,
                        "waits_for": e.get_awaiting_display() if e.awaiting else None,
                        "since": e.occurred_at,
                    }
                    for e in elections
                    if e.subject_id == subject.pk
                ],
                "history": [
                    {
                        "occurred_at": e.occurred_at,
                        "recorded_at": e.recorded_at,
                        "purpose": e.get_purpose_display(),
                        "code": e.purpose,
                        "granted": e.granted,
                        "source": e.get_source_display(),
                        "policy_version": e.policy_version.version if e.policy_version else None,
                        "by_staff": e.actor_id is not None,
                        "evidence": e.evidence,
                    }
                    for e in events
                    if e.subject_id == subject.pk
                ],
            }
            for subject in subjects
        ]
    }


def erase(user) -> None:
    # Every address of the account gets a subject, so that each one, even one that
    # never had consent on record, stays suppressed once erased.
    subject_get_or_create(user=user)
    for address in EmailAddress.objects.filter(user=user, verified=True):
        subject_get_or_create(email=address.email)
    for subject in subjects_for_user(user=user):
        # A subject merged into the account's has no address nor elections left: its
        # history goes with the account's, out of reach of the address.
        if subject.merged_into_id is None:
            subject_erase(subject=subject)
