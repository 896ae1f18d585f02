"""Feedback the person sent, signed in or with one of their verified addresses.

Erasing: the feedback became the company's when it was sent (P14), so its text stays,
but nothing links it to the person any more, and any success story is taken down.
"""

from allauth.account.models import EmailAddress
from django.db.models import Q

from consent.models import email_normalize
from feedback.models import Feedback


def _feedback_of(user):
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True),
    }
    # An international domain may be on record in its ASCII form too.
    addresses |= {email_normalize(address) for address in addresses}
    by_address = Q()
    for address in addresses:
        by_address |= Q(email__iexact=address)
    return Feedback.objects.filter(Q(user=user) | (by_address & Q(user__isnull=True)))


def export(user) -> dict:
    return {
        "feedback": [
            {
                "sent_at": f.created_at,
                "name": f.name,
                "email": f.email,
                "feedback": f.body,
                "publish_as_success_story": f.publish,
                "display_name": f.display_name,
                "opted_in_at": f.publish_opted_in_at,
                "withdrawn_at": f.publish_withdrawn_at,
                "published_now": f.is_published,
            }
            for f in _feedback_of(user).order_by("created_at", "id")
        ]
    }


def erase(user) -> None:
    _feedback_of(user).update(
        user=None, name="", email="", publish=False, display_name="", publish_opted_in_at=None
    )
