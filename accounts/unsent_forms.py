"""A form sent after its author's session ended is kept for them, not lost.

Forms where a person types at length carry a signed field naming their author
({% unsent_form_owner %}). When such a form arrives after the session that showed it
has ended (it expired, or the person signed out, or signed in again elsewhere so the
form's CSRF token changed), what was typed is kept in the new session, never saved
anywhere as if it had been sent. Once the same person is signed in, the page the form
was on offers to send it as it was filled in, or to discard it. Anyone else signing
in on that browser never sees it, and it is dropped after UNSENT_FORM_MAX_AGE.

Any form posted signed out, with that field or not, brings the person back after
signing in to the page it was on, not to the address it posted to (which may answer
nothing to GET).
"""

from datetime import timedelta
from urllib.parse import urlsplit

from allauth.core.ratelimit import consume
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure as django_csrf_failure

OWNER_FIELD = "unsent_form_owner"
SALT = "accounts.unsent_forms.owner"
SESSION_KEY = "unsent_form"
UNSENT_FORM_MAX_AGE = timedelta(days=1)
# Larger forms are not kept (UTF-8 bytes of what is typed): a session is no place for
# them, nor should anyone be able to fill session rows with much at will. It holds a
# work history of 15 jobs described in 4,000 characters each.
MAX_KEPT_BYTES = 64_000
UNSENT_SESSION_EXPIRY = int(UNSENT_FORM_MAX_AGE.total_seconds())
NOT_KEPT = {"csrfmiddlewaretoken", OWNER_FIELD}
# CSRF failures where the form's token, not where it came from, was wrong (Django
# checks the Origin header first): the token went stale when the person signed in
# again in another tab, or the cookie holding its secret went.
STALE_TOKEN_REASONS = {REASON_NO_CSRF_COOKIE, "CSRF token from POST incorrect."}


def owner_token(user) -> str:
    return signing.dumps(user.pk, salt=SALT)


def _owner(request) -> int | None:
    """The author a posted form names, if its signature holds."""
    token = request.POST.get(OWNER_FIELD)
    if not token:
        return None
    try:
        return signing.loads(token, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None


def _page(request) -> str:
    """The page the posted form was on: the Referer when it is one of ours (the form
    may post elsewhere, to an address that answers nothing to GET), else its address."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        path = urlsplit(referer).path
        # "//elsewhere/…" as a path would be another site's address once redirected to.
        if path.startswith("/") and not path.startswith(("//", "/\\")):
            return path
    return request.path


def _keep(request, *, owner: int, page: str) -> bool:
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_KEPT
        for value in values
    ]
    size = sum(len(name.encode()) + len(value.encode()) for name, value in fields)
    if request.FILES or size > MAX_KEPT_BYTES or not consume(request, action="unsent_form"):
        return False
    request.session[SESSION_KEY] = {
        "owner": owner,
        "page": page,
        "action": request.path,
        "fields": fields,
        "kept_at": timezone.now().isoformat(),
    }
    if request.user.is_authenticated:
        messages.warning(
            request,
            "Your form was not sent: you had signed in again since this page was shown. "
            "You can send it now as you filled it in.",
        )
    else:
        # A session nobody is signed in to holds the typing only until it is claimed.
        request.session.set_expiry(UNSENT_SESSION_EXPIRY)
        messages.warning(
            request,
            "Your form was not sent: you had been signed out. Sign in and you can send it "
            "as you filled it in.",
        )
    return True


class UnsentFormMiddleware:
    """A form posted after its session ended (the view answered with the sign-in page)
    is kept for its author, and the person comes back to the page it was on after
    signing in, not to the address it posted to. A kept form is forgotten once its
    address is posted to again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if request.user.is_authenticated:
            unsent_form_forget_sent_to(request, path=request.path)
        response = self.get_response(request)
        if (
            response.status_code == 302
            and not request.user.is_authenticated
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL) + "?")
        ):
            page = _page(request)
            if (owner := _owner(request)) is not None:
                _keep(request, owner=owner, page=page)
            if page != request.path:
                return redirect_to_login(page)
        return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form of ours refused only because its token went stale
    (the person signed in again in another tab) is kept for its author; anything else
    gets Django's page, rendered from templates/403_csrf.html."""
    owner = _owner(request) if request.method == "POST" else None
    signed_in = request.user.is_authenticated
    page = _page(request)
    if (
        owner is not None
        and reason in STALE_TOKEN_REASONS
        and "Origin" in request.headers
        and (not signed_in or request.user.pk == owner)
        and _keep(request, owner=owner, page=page)
    ):
        return redirect(page) if signed_in else redirect_to_login(page)
    return django_csrf_failure(request, reason)


def author_signed_out(request) -> bool:
    """Whether this form was posted by its signed-in author after their session ended:
    a view that takes forms from visitors too asks them to sign in instead (the
    middleware then keeps what they typed)."""
    return not request.user.is_authenticated and _owner(request) is not None


def unsent_form(request) -> dict:
    """Context processor: the form kept on this page for the person signed in."""
    session = getattr(request, "session", None)
    kept = session.get(SESSION_KEY) if session is not None else None
    if not kept or not request.user.is_authenticated:
        return {}
    kept_at = parse_datetime(kept["kept_at"])
    if kept["owner"] != request.user.pk or kept_at < timezone.now() - UNSENT_FORM_MAX_AGE:
        unsent_form_forget(request)
        return {}
    if kept["page"] != request.path:
        return {}
    typed = [
        (name, value)
        for name, value in kept["fields"]
        if value.strip() and not name.endswith(("_FORMS", "-id")) and name != "go"
    ]
    return {
        "unsent_form": {
            "action": kept["action"],
            "fields": kept["fields"],
            "typed": typed,
            "kept_at": kept_at,
        }
    }


def unsent_form_forget(request) -> str | None:
    """Drop the form kept in this session; return the path of its page, if one was."""
    kept = request.session.pop(SESSION_KEY, None)
    if request.session.get("_session_expiry") == UNSENT_SESSION_EXPIRY:
        # Still the day it was given for the form (no sign-in set another): back to the
        # site's usual session lifetime.
        request.session.set_expiry(None)
    return kept["page"] if kept else None


def unsent_form_forget_sent_to(request, *, path: str) -> None:
    """Drop the form kept in this session if it was sent to this address."""
    kept = request.session.get(SESSION_KEY)
    if kept and kept["action"] == path:
        unsent_form_forget(request)
