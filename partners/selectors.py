from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from partners.models import Partner, host_normalize

CACHE_SECONDS = 60
_MAIN_SITE = "main-site"


def _domain(host: str) -> str:
    return host_normalize(host) or host.lower()


def host_cache_key(host: str) -> str:
    return f"partner-for-host:{_domain(host)}"


def partner_for_host(host: str) -> Partner | None:
    """The active partner whose pages these are, or None on the main site.

    Cached per host for a minute, so that a page costs no query for it; editing a
    partner in admin clears its hosts' entries.
    """
    key = host_cache_key(host)
    cached = cache.get(key)
    if cached is None:
        partner = Partner.objects.filter(hosts__host=_domain(host), active=True).first()
        cache.set(key, partner or _MAIN_SITE, CACHE_SECONDS)
        return partner
    return None if cached == _MAIN_SITE else cached


def partner_of_request(request) -> Partner | None:
    """The partner whose pages served this request, as a plain model instance."""
    partner = getattr(request, "partner", None)
    if not partner:
        return None
    return partner._wrapped if isinstance(partner, SimpleLazyObject) else partner
