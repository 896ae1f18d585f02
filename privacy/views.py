from django.shortcuts import render

from privacy.cookies import COOKIES
from privacy.rendering import markdown_to_html
from privacy.selectors import policy_version_current


def policy_current(request):
    version = policy_version_current()
    return render(
        request,
        "privacy/policy.html",
        {"version": version, "body_html": markdown_to_html(version.body) if version else ""},
    )


def cookies(request):
    return render(request, "privacy/cookies.html", {"cookies": COOKIES})
