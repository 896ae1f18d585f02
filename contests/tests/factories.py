from datetime import timedelta

import factory
from django.utils import timezone

from contests.models import Contest, ContestEntry
from partners.models import Partner


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    privacy_policy_url = factory.LazyAttribute(lambda p: f"https://{p.slug}.example/privacy")


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    title = factory.Sequence(lambda n: f"Contest {n}")
    slug = factory.Sequence(lambda n: f"contest-{n}")
    summary = "Win a prize."
    description = "One entry per address."
    prize = "A resume package"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ContestEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestEntry

    contest = factory.SubFactory(ContestFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"entrant{n}@example.com")
    address_line1 = "1 Main Street"
    city = "Springfield"
    postal_code = "12345"
    country = "United States"
    age_confirmed_at = factory.LazyFunction(timezone.now)
    partner = factory.LazyAttribute(lambda entry: entry.contest.partner)
    notice_version = factory.LazyAttribute(
        lambda entry: entry.contest.partner.notice_version if entry.contest.partner else None
    )
