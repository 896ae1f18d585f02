"""Demo data: the service providers listed on the policy, the policy's latest version
published, and some weeks of usage counts so that the admin's analytics chart has
something to show."""

import random
from datetime import timedelta

from django.utils import timezone

from partners.models import Partner
from privacy.models import DailyCount, PolicyVersion, ServiceProvider
from privacy.services import policy_version_publish

DEMO_PROVIDERS = [
    ("Example Cloud Hosting", ServiceProvider.Function.HOSTING, "everything stored on the site"),
    ("Stripe", ServiceProvider.Function.PAYMENTS, "name, e-mail address, card details, amount"),
    ("Postmark", ServiceProvider.Function.EMAIL, "name, e-mail address, messages we send you"),
    (
        "Example Help Desk",
        ServiceProvider.Function.CUSTOMER_SERVICE,
        "name, e-mail address, your messages to us, order numbers",
    ),
]

AREAS = {"home": 120, "privacy": 25, "accounts": 60, "contact": 12}
SERVICES = {"sign-up": 14, "sign-in": 40, "cookie-choices": 30, "privacy-choices": 6}
WEEKS = 10


def seed() -> list[tuple[str, str]]:
    for name, function, categories in DEMO_PROVIDERS:
        ServiceProvider.objects.get_or_create(
            name=name, defaults={"function": function, "data_categories": categories}
        )
    # The demo company's Privacy Officer has published the draft of version 3 that the
    # migrations add (its change notice goes to those who asked for site-update mail).
    draft = PolicyVersion.objects.filter(
        document=PolicyVersion.Document.PRIVACY_POLICY, version=3, published_at__isnull=True
    ).first()
    if draft is not None:
        draft.effective_date = timezone.localdate()
        draft.save(update_fields=["effective_date"])
        policy_version_publish(version=draft)
    if not DailyCount.objects.exists():
        # Seeded so the demo always looks the same.
        rng = random.Random(7)  # noqa: S311 - demo figures, not security
        sites = ["", *Partner.objects.values_list("slug", flat=True)]
        today = timezone.localdate()
        rows = []
        for offset in range(1, WEEKS * 7 + 1):
            day = today - timedelta(days=offset)
            for site in sites:
                scale = 1.0 if site == "" else 0.15
                for kind, names in (
                    (DailyCount.Kind.VISIT, AREAS),
                    (DailyCount.Kind.USE, SERVICES),
                ):
                    for name, mean in names.items():
                        count = round(mean * scale * rng.uniform(0.6, 1.4))
                        if count:
                            rows.append(
                                DailyCount(day=day, kind=kind, site=site, name=name, count=count)
                            )
        DailyCount.objects.bulk_create(rows)
    return []
