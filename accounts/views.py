from allauth.account.decorators import reauthentication_required
from allauth.core.ratelimit import consume_or_429
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import AccountDeleteForm, ElectionsForm, ProfileForm
from accounts.models import DataExport, data_export_storage
from accounts.personal_data_registry import ErasureBlocked
from accounts.selectors import privacy_dashboard_data_rights, profile_for_user
from accounts.services import (
    account_elections_update,
    account_erase,
    data_export_request,
    profile_delete,
    profile_update,
    user_sessions_end,
    user_sessions_end_others,
)
from accounts.unsent_forms import unsent_form_forget, unsent_form_forget_sent_to
from careerperfect.paging import page_of
from consent.purposes import Purpose
from consent.selectors import consent_current_elections, consent_history
from privacy.cookies import REMEMBERED_EMAIL_COOKIE, cookie_delete
from privacy.selectors import disclosures_shown_to


@login_required
@require_http_methods(["GET", "POST"])
def privacy_dashboard(request):
    """My privacy: current elections (changeable) and the consent history, a page at a
    time."""
    if request.method == "POST":
        form = ElectionsForm(request.POST)
        if form.is_valid():
            wanted = {Purpose(name): value for name, value in form.cleaned_data.items()}
            # A box left as the page showed it is no new choice: if that election
            # changed since (a "remove" e-mail, an unsubscribe link, another tab), the
            # newer choice stands, rather than the page's older state coming back.
            ticked = _elections_ticked(consent_current_elections(user=request.user))
            moved_on = [
                purpose
                for purpose, was_ticked in form.shown().items()
                if wanted[purpose] == was_ticked and ticked.get(purpose, False) != was_ticked
            ]
            changed = account_elections_update(
                user=request.user,
                wanted={p: value for p, value in wanted.items() if p not in moved_on},
            )
            if changed:
                messages.success(request, "Your choices are saved.")
            elif not moved_on:
                messages.info(request, "Nothing changed.")
            for purpose in moved_on:
                messages.info(
                    request,
                    f"“{purpose.label}” changed since you opened this page, so we left it as "
                    "it is now: see below.",
                )
            return redirect("accounts:privacy")
    current = consent_current_elections(user=request.user)
    elections = {event.purpose: event for event in current}
    form = ElectionsForm(initial=_elections_ticked(current))
    for name, field in form.fields.items():
        # The state shown under each box ("Allowed since …", "not yet allowed: tick it
        # to allow it") is read out with the box, not only seen beside it.
        field.widget.attrs["aria-describedby"] = f"id_{name}_state"
    rows = [{"field": form[name], "election": elections.get(name)} for name in form.fields]
    return render(
        request,
        "accounts/privacy_dashboard.html",
        {
            "form": form,
            "rows": rows,
            # Two lists paged apart, each keeping the other's page in its links.
            "history": page_of(request, consent_history(user=request.user), param="history_page"),
            "disclosures": page_of(
                request, disclosures_shown_to(user=request.user), param="disclosures_page"
            ),
            **privacy_dashboard_data_rights(
                user=request.user, session_key=request.session.session_key
            ),
        },
    )


def _elections_ticked(current) -> dict[str, bool]:
    """Which boxes My privacy shows ticked: elections in force (a grant still waiting
    for its confirmation is shown unticked, as not yet allowed)."""
    return {event.purpose: event.granted and not event.awaiting for event in current}


# --- "Help us improve" (P6) -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = profile_for_user(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your answers are saved. Thank you.")
            return redirect("accounts:profile")
    else:
        initial = (
            {
                "interests": profile.interests,
                "job_types": profile.job_types,
                "job_titles": profile.job_titles,
                "site_likes": profile.site_likes,
                "site_dislikes": profile.site_dislikes,
            }
            if profile
            else None
        )
        form = ProfileForm(initial=initial)
    return render(request, "accounts/profile.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def profile_remove(request):
    """Asks first, on a page of its own: the answers cannot be brought back."""
    if request.method == "GET":
        profile = profile_for_user(user=request.user)
        if profile is None:
            return redirect("accounts:profile")
        return render(request, "accounts/profile_delete.html")
    # Answers typed after the session ended are kept in it, and are answers too.
    unsent_form_forget_sent_to(request, path=reverse("accounts:profile"))
    if profile_delete(user=request.user):
        messages.success(request, "Your answers are deleted.")
    return redirect("accounts:profile")


# --- Sessions ---------------------------------------------------------------------


def _user_session_for_user(request, session_id: int):
    from allauth.usersessions.models import UserSession

    return get_object_or_404(UserSession, pk=session_id, user=request.user)


@require_POST
def unsent_form_discard(request):
    """Drop a form kept after its session ended (accounts/unsent_forms.py): back to its
    page for the person it was kept for, else home."""
    path = unsent_form_forget(request)
    messages.info(request, "The form you had filled in is discarded.")
    return redirect(path if path and request.user.is_authenticated else "home")


@login_required
@require_POST
def session_end(request, session_id):
    session = _user_session_for_user(request, session_id)
    if session.session_key != request.session.session_key:
        return _other_session_end(request, session)
    user_sessions_end(sessions=[session])
    logout(request)
    return redirect("home")


# Ending sessions elsewhere asks for the password again (OWASP ASVS V3.3.4): else a
# session left open somewhere could sign its owner out of every other.
@reauthentication_required
def _other_session_end(request, session):
    user_sessions_end(sessions=[session])
    messages.success(request, "That session is signed out.")
    return redirect("accounts:privacy")


@login_required
@reauthentication_required
@require_POST
def sessions_end_others(request):
    ended = user_sessions_end_others(
        user=request.user, current_session_key=request.session.session_key
    )
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("accounts:privacy")


# --- Download my data -------------------------------------------------------------


def _data_export_for_user(request, public_id) -> DataExport:
    return get_object_or_404(DataExport, public_id=public_id, user=request.user)


# All of a person's data in one file: not for an open session alone (like deleting).
@login_required
@reauthentication_required
@require_POST
def data_export_new(request):
    limited = consume_or_429(request, action="data_export", user=request.user)
    if limited:
        return limited
    export = data_export_request(user=request.user)
    return redirect("accounts:data_export", public_id=export.public_id)


@login_required
@never_cache
def data_export_detail(request, public_id):
    export = _data_export_for_user(request, public_id)
    return render(
        request,
        "accounts/data_export.html",
        {"export": export, "downloadable": export.is_downloadable(now=timezone.now())},
    )


@login_required
@never_cache
def data_export_download(request, public_id):
    export = _data_export_for_user(request, public_id)
    if export.is_downloadable(now=timezone.now()):
        try:
            file = data_export_storage().open(export.file_name, "rb")
        except FileNotFoundError:
            pass
        else:
            return FileResponse(
                file,
                as_attachment=True,
                filename=f"careerperfect-data-{export.ready_at:%Y-%m-%d}.zip",
                content_type="application/zip",
            )
    return render(
        request,
        "accounts/data_export_gone.html",
        {"export": export, "expiry_days": settings.DATA_EXPORT_EXPIRY_DAYS},
        status=410,
    )


# --- Delete my account ------------------------------------------------------------


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    if request.user.is_staff:
        return render(request, "accounts/account_delete_staff.html")
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=request.user)
        except ErasureBlocked as error:
            messages.error(request, str(error))
        else:
            logout(request)
            response = redirect("accounts:deleted")
            # The sign-in form would go on filling in the erased address for a year.
            cookie_delete(response, request, name=REMEMBERED_EMAIL_COOKIE)
            return response
    return render(request, "accounts/account_delete.html", {"form": form})


def account_deleted(request):
    return render(request, "accounts/account_deleted.html")
