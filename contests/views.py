from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from careerperfect.ratelimit import form_submission_allow
from contests.forms import ContestEntryForm
from contests.selectors import contest_for_entry, contests_open
from contests.services import contest_enter
from partners.selectors import partner_of_request

ENTRY_FIELDS = [
    "name",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "notice_version",
    "site_notice_version",
]


def _contest_or_404(slug: str):
    contest = contest_for_entry(slug=slug)
    if contest is None:
        raise Http404("No such contest.")
    return contest


def contest_list(request):
    return render(request, "contests/contest_list.html", {"contests": contests_open()})


@require_http_methods(["GET", "POST"])
def contest_detail(request, slug):
    contest = _contest_or_404(slug)
    is_open = contest.is_open(now=timezone.now())
    user = request.user if request.user.is_authenticated else None
    site_partner = partner_of_request(request)
    if request.method == "POST" and is_open:
        form = ContestEntryForm(request.POST, contest=contest, site_partner=site_partner)
        if form.is_valid():
            if not form_submission_allow(request, form=form, action="contest_entry"):
                return _contest_page(request, contest, form, is_open, status=429)
            contest_enter(
                contest=contest,
                user=user,
                site_partner=site_partner,
                elections=form.elections,
                # The postal address is not asked when the prize is not posted.
                **{
                    field: form.cleaned_data[field]
                    for field in ENTRY_FIELDS
                    if field in form.fields
                },
            )
            # The same words whether this address entered before (which changes and sends
            # nothing) or not, so that the page tells a stranger nothing about it.
            if form.elections:
                messages.info(
                    request,
                    "If your address still needs confirming for the e-mail you asked for, a link "
                    "is on its way to it: that e-mail starts once you follow the link.",
                )
            return redirect("contests:entered", slug=contest.slug)
    else:
        initial = {"name": user.name, "email": user.email} if user else None
        form = ContestEntryForm(contest=contest, site_partner=site_partner, initial=initial)
    return _contest_page(request, contest, form, is_open)


def _contest_page(request, contest, form, is_open, status=200):
    return render(
        request,
        "contests/contest_detail.html",
        {"contest": contest, "form": form, "is_open": is_open},
        status=status,
    )


def contest_entered(request, slug):
    return render(request, "contests/entered.html", {"contest": _contest_or_404(slug)})
