"""Where to send a visitor back to: always a page of this site that answers GET.

A form that fails validation is shown again at the address it was posted to, and
that address may answer POST only (adding to the cart, saving cookie choices). A
"back to where you were" link built from it led to a blank 405 page.
"""

from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SAFE_METHODS = {"GET", "HEAD"}


def local_path(request, url: str | None) -> str | None:
    """`url` as a path (with its query) on this site's host, or None when it is not one."""
    if not url or not _is_on_this_site(request, url):
        return None
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # This site's full address may carry a path that is itself an address elsewhere:
    # "http://us//evil.example/" would give "//evil.example/".
    if not parts.path.startswith("/") or not _is_on_this_site(request, path):
        return None
    return path


def _is_on_this_site(request, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def return_path(request) -> str:
    """The page the visitor is looking at, as an address to come back to with GET.

    That is the current address for a GET; for a page shown in answer to a POST, the
    page the form was sent from (the Referer, same site only), or home.
    """
    if request.method in SAFE_METHODS:
        return request.get_full_path()
    referer = local_path(request, request.headers.get("referer"))
    # The same POST-only address when a re-shown form was sent again from itself.
    if referer and urlsplit(referer).path != request.path:
        return referer
    return reverse("home")
