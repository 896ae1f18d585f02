from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from careerperfect.navigation import local_path
from privacy.cookies import (
    CATEGORY_TEXT,
    COOKIES,
    Category,
    categories_offered,
    cookie_choices,
    cookie_choices_apply,
)
from privacy.forms import CookieChoicesForm
from privacy.models import PolicyVersion
from privacy.rendering import policy_html
from privacy.selectors import (
    policy_version_changes,
    policy_version_current,
    policy_version_published,
    policy_versions_published,
    service_providers_listed,
)
from privacy.services import cookie_choices_record


def _document_page(request, *, document: str, version: PolicyVersion | None, current: bool):
    providers = (
        service_providers_listed()
        if current and document == PolicyVersion.Document.PRIVACY_POLICY
        else None
    )
    return render(
        request,
        "privacy/policy.html",
        {
            "document": document,
            "document_label": PolicyVersion.Document(document).label,
            "version": version,
            "current": current,
            "body_html": policy_html(version.body) if version else "",
            "providers": providers,
            "today": timezone.localdate(),
        },
    )


def policy_current(request):
    document = PolicyVersion.Document.PRIVACY_POLICY
    version = policy_version_current(document=document)
    return _document_page(request, document=document, version=version, current=True)


def safe_and_secure_current(request):
    document = PolicyVersion.Document.SAFE_AND_SECURE
    version = policy_version_current(document=document)
    return _document_page(request, document=document, version=version, current=True)


def policy_archive(request, document: str):
    current = policy_version_current(document=document)
    return render(
        request,
        "privacy/archive.html",
        {
            "document": document,
            "document_label": PolicyVersion.Document(document).label,
            "versions": policy_versions_published(document=document),
            "current": current,
            "today": timezone.localdate(),
        },
    )


def _published_or_404(document: str, version: int) -> PolicyVersion:
    found = policy_version_published(document=document, version=version)
    if found is None:
        raise Http404("No such published version.")
    return found


def policy_version(request, document: str, version: int):
    found = _published_or_404(document, version)
    current = policy_version_current(document=document)
    return _document_page(
        request, document=document, version=found, current=current is not None and found == current
    )


def policy_changes(request, document: str, version: int):
    found = _published_or_404(document, version)
    previous, sections = policy_version_changes(version=found)
    return render(
        request,
        "privacy/changes.html",
        {
            "document": document,
            "document_label": PolicyVersion.Document(document).label,
            "version": found,
            "previous": previous,
            "sections": sections,
            "today": timezone.localdate(),
        },
    )


def _cookies_return_path(request, next_url: str | None) -> str | None:
    """The page to go back to once cookie choices are saved, if it is one of ours.

    Only the address the banner sent along (see careerperfect.navigation): a Referer
    could be a page shown in answer to a POST, at an address that answers POST only.
    """
    path = local_path(request, next_url)
    cookie_pages = {reverse("privacy:cookies"), reverse("privacy:cookie_choices")}
    if path is None or urlsplit(path).path in cookie_pages:
        return None
    return path


def cookies(
    request,
    form: CookieChoicesForm | None = None,
    status: int = 200,
    return_path: str | None = None,
):
    choices = cookie_choices(request)
    if form is None:
        return_path = _cookies_return_path(request, request.GET.get("next"))
        form = CookieChoicesForm(
            initial={
                category.value: choices is not None and choices.allows(category)
                for category in categories_offered()
            }
        )
    categories = [
        {
            "category": category,
            "text": CATEGORY_TEXT[category],
            "cookies": [cookie for cookie in COOKIES if cookie.category == category],
        }
        for category in Category
    ]
    return render(
        request,
        "privacy/cookies.html",
        {
            "categories": categories,
            "form": form,
            "choices": choices,
            "allowed": [
                c.label.lower() for c in categories_offered() if choices and choices.allows(c)
            ],
            "return_path": return_path or reverse("privacy:cookies"),
        },
        status=status,
    )


@require_POST
def cookie_choices_save(request):
    """The banner and the cookies page post here; works without JavaScript."""
    form = CookieChoicesForm(request.POST)
    # Only a path on this site. (redirect() would take a bare word for a view name,
    # and fail with a server error when there is none.)
    return_path = _cookies_return_path(request, request.POST.get("next"))
    if not form.is_valid():
        return cookies(request, form=form, status=400, return_path=return_path)
    choices = form.choices()
    if request.user.is_authenticated:
        cookie_choices_record(user=request.user, choices=choices)
    messages.success(request, "Your cookie choices are saved.")
    response = HttpResponseRedirect(return_path or reverse("privacy:cookies"))
    cookie_choices_apply(response, request, choices=choices)
    return response
