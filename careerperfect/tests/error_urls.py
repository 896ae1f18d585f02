"""The site's URLs plus pages that fail, to see the error pages Django renders."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from careerperfect.urls import urlpatterns as site_urlpatterns


def server_error_raise(request):
    raise RuntimeError("a deliberate failure for the error page test")


def permission_denied_raise(request):
    raise PermissionDenied


urlpatterns = [
    *site_urlpatterns,
    path("_test/server-error/", server_error_raise),
    path("_test/forbidden/", permission_denied_raise),
]
