import logging

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils import timezone

from privacy.analytics import buffer_key, usage_count, usage_of

logger = logging.getLogger(__name__)


class AnalyticsMiddleware:
    """Counts each page visit per site area and each use of a service (P1).

    Only the day, the site, the area or service and a number are kept; see
    privacy/analytics.py. The count goes to the cache, never to the database.
    """

    def __init__(self, get_response):
        if not settings.ANALYTICS_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            usage = usage_of(request, response)
            if usage is not None:
                partner = request.partner
                kind, name = usage
                usage_count(
                    buffer_key(timezone.now().date(), kind, partner.slug if partner else "", name)
                )
        except Exception:
            # Counting must never cost a visitor their page.
            logger.exception("Analytics: a request could not be counted")
        return response
