"""Contest entries the person made, signed in or with one of their verified addresses.
Erasing deletes them (entries already sent to a co-sponsor are in the disclosure log)."""

from allauth.account.models import EmailAddress
from django.db.models import Q

from consent.models import email_normalize
from contests.models import ContestEntry


def _entries_of(user):
    addresses = {
        email_normalize(address)
        for address in [
            user.email,
            *EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True),
        ]
    }
    return ContestEntry.objects.filter(Q(user=user) | Q(email__in=addresses, user__isnull=True))


def export(user) -> dict:
    return {
        "entries": [
            {
                "contest": entry.contest.title,
                "entered_at": entry.created_at,
                "name": entry.name,
                "email": entry.email,
                # None for a contest whose prize is not posted: no address was asked.
                "address": {
                    "line1": entry.address_line1,
                    "line2": entry.address_line2,
                    "city": entry.city,
                    "region": entry.region,
                    "postal_code": entry.postal_code,
                    "country": entry.country,
                }
                if entry.address_line1
                else None,
                "age_confirmed_at": entry.age_confirmed_at,
                "co_sponsor": entry.partner.name if entry.partner else None,
                "co_sponsor_notice_version": entry.notice_version,
                "entered_on_the_site_of": entry.site_partner.name if entry.site_partner else None,
                "site_notice_version": entry.site_notice_version,
            }
            for entry in _entries_of(user)
            .select_related("contest", "partner", "site_partner")
            .order_by("created_at", "id")
        ]
    }


def erase(user) -> None:
    _entries_of(user).delete()
