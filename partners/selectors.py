from django.core.cache import cache

from partners.models import Partner

CACHE_SECONDS = 60


def partner_for_host(host: str) -> Partner | None:
    """The active partner whose pages these are, or None on the main site."""
    host = host.split(":", 1)[0].lower()
    key = f"partner-for-host:{host}"
    partner_id = cache.get(key)
    if partner_id is None:
        partner = Partner.objects.filter(hosts__host=host, active=True).first()
        cache.set(key, partner.pk if partner else 0, CACHE_SECONDS)
        return partner
    return Partner.objects.filter(pk=partner_id).first() if partner_id else None
