"""Disclosures of the person's data outside the company (P7) that they may be shown.

Nothing to erase: the disclosure log is append-only and names people only through
consent subjects, whose addresses are erased with the account.
"""

from consent.selectors import subjects_for_user
from privacy.models import Disclosure


def export(user) -> dict:
    disclosures = (
        Disclosure.objects.filter(subjects__in=subjects_for_user(user=user), shown_to_subject=True)
        .distinct()
        .order_by("created_at", "id")
    )
    return {
        "disclosures": [
            {
                "date": d.created_at,
                "recipient": d.recipient,
                "data_categories": d.data_categories,
                "basis": d.get_basis_display(),
                "reference": d.reference,
            }
            for d in disclosures
        ]
    }
