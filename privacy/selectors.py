from datetime import datetime

from privacy.models import PolicyVersion


def policy_version_in_force(
    *, at: datetime, document: str = PolicyVersion.Document.PRIVACY_POLICY
) -> PolicyVersion | None:
    """The published version of a document that was in effect at a moment."""
    return (
        PolicyVersion.objects.filter(
            document=document, published_at__isnull=False, effective_date__lte=at.date()
        )
        .order_by("-effective_date", "-version")
        .first()
    )


def policy_version_current(
    *, document: str = PolicyVersion.Document.PRIVACY_POLICY
) -> PolicyVersion | None:
    from django.utils import timezone

    return policy_version_in_force(at=timezone.now(), document=document)
