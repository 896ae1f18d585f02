import functools
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.unsent_forms import author_signed_out
from careerperfect.paging import page_of
from careerperfect.ratelimit import form_submission_allow
from consent.models import email_normalize
from feedback.forms import FeedbackForm
from feedback.models import Feedback
from feedback.selectors import (
    feedback_for_user,
    success_stories_page,
    success_stories_with_ids,
)
from feedback.services import (
    feedback_from_withdraw_token,
    feedback_publication_withdraw,
    feedback_submit,
)

STORIES_PER_PAGE = 20
# Short: a page no longer asked for (a story taken down) leaves the cache soon.
STORIES_CACHE_SECONDS = 60


def _feedback_for_author(request, public_id) -> Feedback:
    return get_object_or_404(Feedback, public_id=public_id, user=request.user)


@require_http_methods(["GET", "POST"])
def feedback_new(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST" and author_signed_out(request):
        # Written signed in, sent after the session ended: theirs, so not sent as a
        # visitor's; what they typed is kept until they sign in again.
        return redirect_to_login(request.path)
    if request.method == "POST":
        form = FeedbackForm(request.POST, signed_in=user is not None)
        if form.is_valid():
            if not form_submission_allow(request, form=form, action="feedback") or (
                _mails_withdraw_link(form, user)
                and not form_submission_allow(
                    request,
                    form=form,
                    action="feedback_address",
                    key=email_normalize(form.cleaned_data["email"]),
                )
            ):
                return render(request, "feedback/feedback_form.html", {"form": form}, status=429)
            feedback_submit(user=user, **form.cleaned_data)
            return redirect("feedback:thanks")
    else:
        initial = {"form_key": uuid.uuid4()} | (
            {"name": user.name, "email": user.email} if user else {}
        )
        form = FeedbackForm(initial=initial, signed_in=user is not None)
    return render(request, "feedback/feedback_form.html", {"form": form})


def _mails_withdraw_link(form: FeedbackForm, user) -> bool:
    """Whether sending the form e-mails its withdraw link (feedback_submit): a visitor's
    story to publish, to the address typed, which may be anyone's."""
    return user is None and form.cleaned_data["publish"] and bool(form.cleaned_data["email"])


def feedback_thanks(request):
    return render(request, "feedback/thanks.html")


@login_required
def feedback_mine(request):
    return render(
        request,
        "feedback/mine.html",
        {"feedback_list": page_of(request, feedback_for_user(user=request.user))},
    )


@login_required
@require_POST
def feedback_withdraw(request, public_id):
    feedback = _feedback_for_author(request, public_id)
    if feedback_publication_withdraw(feedback=feedback):
        messages.success(request, "Your story is no longer published.")
    return redirect("feedback:mine")


@require_http_methods(["GET", "POST"])
def feedback_withdraw_by_link(request, token):
    # GET only asks: mail scanners follow links, and must not withdraw anything.
    feedback = feedback_from_withdraw_token(token)
    if feedback is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        feedback_publication_withdraw(feedback=feedback)
        return render(request, "feedback/withdrawn.html")
    return render(request, "feedback/withdraw_confirm.html", {"feedback": feedback})


def success_stories(request):
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = success_stories_page(number=number, per_page=STORIES_PER_PAGE)
    # A published story cannot change (staff cannot edit it; its author can only take
    # it down), so which stories a page holds says all of what it shows: the rendered
    # page is cached under that, and a story taken down changes the key at once.
    return render(
        request,
        "feedback/success_stories.html",
        {
            "page": page,
            # Called (and the stories read) only when the page is not in the cache.
            "stories": functools.partial(success_stories_with_ids, ids=page.ids),
            "stories_key": f"{page.number}:{page.has_next}:{page.ids}",
            "cache_seconds": STORIES_CACHE_SECONDS,
        },
    )
