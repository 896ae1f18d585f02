from partners.models import Partner, PartnerHost

DEMO_PARTNERS = [
    {
        "slug": "monster",
        "name": "Monster",
        "host": "monster.careerperfect.localhost",
        "privacy_policy_url": "https://www.monster.com/privacy",
        "primary_colour": "#6e45a5",
    },
    {
        "slug": "monsterres",
        "name": "Monster Resume Services",
        "host": "monsterres.careerperfect.localhost",
        "privacy_policy_url": "https://www.monster.com/privacy",
        "primary_colour": "#4b2a7b",
    },
]


def seed() -> list[tuple[str, str]]:
    for data in DEMO_PARTNERS:
        partner, _ = Partner.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "privacy_policy_url": data["privacy_policy_url"],
                "primary_colour": data["primary_colour"],
            },
        )
        PartnerHost.objects.get_or_create(host=data["host"], defaults={"partner": partner})
    return []
