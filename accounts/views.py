from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import ElectionsForm
from accounts.services import account_elections_update
from consent.purposes import Purpose
from consent.selectors import consent_elections, consent_history
from consent.services import subject_find
from privacy.selectors import disclosures_shown_to


@login_required
@require_http_methods(["GET", "POST"])
def privacy_dashboard(request):
    """My privacy: current elections (changeable) and the full consent history."""
    if request.method == "POST":
        form = ElectionsForm(request.POST)
        if form.is_valid():
            changed = account_elections_update(
                user=request.user,
                wanted={Purpose(name): value for name, value in form.cleaned_data.items()},
            )
            if changed:
                messages.success(request, "Your choices are saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("accounts:privacy")
    subject = subject_find(user=request.user)
    elections = consent_elections(subject=subject)
    form = ElectionsForm(
        initial={purpose: election.granted for purpose, election in elections.items()}
    )
    rows = [{"field": form[name], "election": elections.get(name)} for name in form.fields]
    return render(
        request,
        "accounts/privacy_dashboard.html",
        {
            "form": form,
            "rows": rows,
            "history": consent_history(subject=subject),
            "disclosures": disclosures_shown_to(subject=subject),
        },
    )
