"""Demo contests: one co-sponsored by the Monster demo partner, one of our own. Both
prizes are digital (a resume written with a writer, a software licence), so neither
asks entrants for a postal address."""

from datetime import timedelta

from django.utils import timezone

from contests.models import Contest
from partners.models import Partner


def seed() -> list[tuple[str, str]]:
    now = timezone.now()
    Contest.objects.get_or_create(
        slug="resume-makeover",
        defaults={
            "title": "Win a resume makeover",
            "summary": "One entrant wins our complete resume package, by a senior writer.",
            "description": "One entry per e-mail address. Open to anyone of the minimum age. "
            "The winner is drawn at random after the closing date and told by e-mail.",
            "prize": "The Executive resume package",
            "prize_is_posted": False,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=60),
            "partner": Partner.objects.filter(slug="monster").first(),
        },
    )
    Contest.objects.get_or_create(
        slug="career-planner",
        defaults={
            "title": "Win the career-planning software",
            "summary": "Ten entrants win a licence for our career-planning software.",
            "description": "One entry per e-mail address. Ten winners are drawn at random after "
            "the closing date and told by e-mail.",
            "prize": "A licence for the career-planning software, with its assessments",
            "prize_is_posted": False,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
        },
    )
    return []
