"""Demo data for mail: a draft campaign for the Marketing staff user to try."""

from mail.models import Campaign
from mail.services import campaign_create

DEMO_SUBJECT = "Five changes that make a resume read faster"


def seed() -> list[tuple[str, str]]:
    if not Campaign.objects.filter(subject=DEMO_SUBJECT).exists():
        campaign_create(
            kind=Campaign.Kind.MARKETING,
            subject=DEMO_SUBJECT,
            body_markdown=(
                "Recruiters skim. Our writers see the same five fixes help again and again:\n\n"
                "1. A two-line summary that names the job you want.\n"
                "2. Results with numbers, not duties.\n"
                "3. One page per ten years of experience.\n"
                "4. The skills from the job advert, in its own words.\n"
                "5. A plain layout that applicant-tracking software can read.\n\n"
                "[Order a resume review](https://careerperfect.localhost/) and a writer will "
                "apply them to yours."
            ),
        )
    return []
