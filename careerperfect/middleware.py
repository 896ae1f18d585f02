from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class SignedInPagesNeverStoredMiddleware:
    """A page shown to a signed-in person is theirs: no shared cache may keep it, nor
    the browser once they sign out (OWASP ASVS V8.2.1). A view that sets its own
    Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a GET of an address that only takes a posted form (a bookmark, a
    link followed from history) with an empty 405: give it a page with a way on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
