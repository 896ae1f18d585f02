from django.core.cache import cache

from partners.models import Partner

CACHE_SECONDS = 60
_MAIN_SITE = "main-site"


def partner_for_host(host: str) -> Partner | None:
    """The active partner whose pages these are, or None on the main site.

    Cached per host for a minute, so that a page costs no query for it.
    """
    host = host.split(":", 1)[0].lower()
    key = f"partner-for-host:{host}"
    cached = cache.get(key)
    if cached is None:
        partner = Partner.objects.filter(hosts__host=host, active=True).first()
        cache.set(key, partner or _MAIN_SITE, CACHE_SECONDS)
        return partner
    return None if cached == _MAIN_SITE else cached
