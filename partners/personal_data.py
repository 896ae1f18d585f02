"""A person's co-branded registration for "download my data" and "delete my account"."""

from partners.models import CoBrandedRegistration


def export(user) -> dict:
    registration = CoBrandedRegistration.objects.filter(user=user).select_related("partner").first()
    if registration is None:
        return {"co_branded_registration": None}
    return {
        "co_branded_registration": {
            "partner": registration.partner.name,
            "partner_privacy_policy": registration.partner.privacy_policy_url,
            "notice_version": registration.notice_version,
            "registered_at": registration.created_at.isoformat(),
            "name_entered": registration.name,
            "email_entered": registration.email,
        }
    }


def erase(user) -> None:
    """What was entered on the partner's pages goes with the account. (A copy the
    partner received before is the partner's, under its own policy.)"""
    CoBrandedRegistration.objects.filter(user=user).delete()
