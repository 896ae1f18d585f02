from django.utils.functional import SimpleLazyObject

from partners.selectors import partner_for_host


class PartnerMiddleware:
    """Sets request.partner from the host: the co-branding partner, or None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.partner = SimpleLazyObject(lambda: partner_for_host(request.get_host()))
        return self.get_response(request)
