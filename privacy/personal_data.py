"""The privacy app's part of a person's data download: disclosures of their data (P7).

Entries a legal requirement forbids showing stay out, as on My privacy. The log itself
is never erased: it is the record of what left the company, and its link to the
person goes through their consent subject, which erasure keeps only as a hash.
"""

from privacy.selectors import disclosures_shown_to


def export(user) -> dict:
    return {
        "disclosures": [
            {
                "when": disclosure.created_at.isoformat(),
                "recipient": disclosure.recipient,
                "data_categories": disclosure.data_categories,
                "basis": disclosure.get_basis_display(),
                "reference": disclosure.reference,
            }
            for disclosure in disclosures_shown_to(user=user)
        ]
    }
