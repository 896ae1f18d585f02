"""The single doors through which individual data leaves or is looked at by staff."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from privacy.models import Disclosure, StaffAccess


def disclosure_record(
    *,
    recipient: str,
    data_categories: Iterable[str],
    basis: Disclosure.Basis,
    reference: str = "",
    subjects: Iterable = (),
    recorded_by=None,
    shown_to_subject: bool = True,
) -> Disclosure:
    """Record a disclosure outside the company (P7). Every disclosure calls this first."""
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            recipient=recipient,
            data_categories=sorted(set(data_categories)),
            basis=basis,
            reference=reference,
            recorded_by=recorded_by,
            shown_to_subject=shown_to_subject,
        )
        disclosure.subjects.set(list(subjects))
    return disclosure


def staff_access_record(*, staff, obj, action: str, description: str = "") -> StaffAccess:
    """Log a staff member's view or download of a person's private data."""
    return StaffAccess.objects.create(
        staff=staff,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        description=(description or str(obj))[:300],
    )
