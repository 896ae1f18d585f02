"""P13: no page sets a cookie that is not in the registry, nor an optional cookie
without the visitor's consent.

The pages come from the URL resolver, so pages other apps add later are crawled too.
A page whose URL needs arguments is crawled when SAMPLE_KWARGS gives some.
"""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.tests.factories import UserFactory
from careerperfect.urls import urlpatterns as site_urlpatterns
from privacy.cookies import (
    CHOICES_COOKIE,
    REGISTRY,
    REMEMBERED_EMAIL_COOKIE,
    Category,
    CookieChoices,
)
from privacy.models import PolicyVersion

SAMPLE_KWARGS = {
    "privacy:archive": {"document": PolicyVersion.Document.SAFE_AND_SECURE},
    "privacy:version": {"document": PolicyVersion.Document.PRIVACY_POLICY, "version": 1},
    "privacy:changes": {"document": PolicyVersion.Document.PRIVACY_POLICY, "version": 2},
}


def _route(pattern) -> str | None:
    """The literal path of a URL pattern, or None when it takes arguments."""
    if isinstance(pattern, RoutePattern):
        return None if pattern.converters else str(pattern)
    if isinstance(pattern, RegexPattern):
        if pattern.regex.groups:
            return None
        return str(pattern).removeprefix("^").removesuffix("$").replace("\\", "")
    return None


def crawlable_urls(urlconf=None) -> list[str]:
    urls: list[str] = []

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]):
        for pattern in patterns:
            route = _route(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route is not None:
                    names = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                    walk(pattern.url_patterns, prefix + route, names)
            elif isinstance(pattern, URLPattern):
                name = ":".join((*namespaces, pattern.name)) if pattern.name else None
                if route is not None:
                    urls.append("/" + prefix + route)
                elif name in SAMPLE_KWARGS:
                    urls.append(reverse(name, kwargs=SAMPLE_KWARGS[name], urlconf=urlconf))

    walk(get_resolver(urlconf).url_patterns, "", ())
    return sorted(set(urls))


def _is_deletion(morsel) -> bool:
    if str(morsel["max-age"]) == "0":
        return True
    expires = morsel["expires"]
    return bool(expires) and parsedate_to_datetime(expires) <= datetime.now(UTC)


def cookie_problems(url: str, response, choices: CookieChoices | None) -> list[str]:
    """What is wrong with the cookies a response sets, given the browser's choice."""
    problems = []
    for name, morsel in response.cookies.items():
        cookie = REGISTRY.get(name)
        if cookie is None:
            problems.append(f"{url} sets {name!r}, which is not in the cookie registry")
        elif (
            cookie.category != Category.NECESSARY
            and not _is_deletion(morsel)
            and not (choices is not None and choices.allows(cookie.category))
        ):
            problems.append(f"{url} sets the {cookie.category} cookie {name!r} without consent")
    return problems


def crawl(client: Client, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        choice = client.cookies.get(CHOICES_COOKIE)
        problems += cookie_problems(url, response, CookieChoices.parse(choice and choice.value))
    return problems


CONSENTS = {
    "no choice yet": {},
    "rejected": {CHOICES_COOKIE: "necessary"},
    # A stale preferences cookie from before the choice was withdrawn must not be renewed.
    "rejected, old cookie left": {
        CHOICES_COOKIE: "necessary",
        REMEMBERED_EMAIL_COOKIE: "old@example.com",
    },
    "accepted": {CHOICES_COOKIE: "necessary:preferences", REMEMBERED_EMAIL_COOKIE: "a@b.example"},
}


def _client(persona: str, consent: str, django_user_model) -> Client:
    client = Client()
    if persona == "job seeker":
        client.force_login(UserFactory())
    elif persona == "superuser":
        client.force_login(
            django_user_model.objects.create_superuser(email="root@example.com", password="x")
        )
    for name, value in CONSENTS[consent].items():
        client.cookies[name] = value
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("consent", list(CONSENTS))
@pytest.mark.parametrize("persona", ["anonymous", "job seeker", "superuser"])
def test_no_page_sets_an_unlisted_cookie_or_an_optional_one_without_consent(
    persona, consent, django_user_model
):
    client = _client(persona, consent, django_user_model)

    assert crawl(client, crawlable_urls()) == []


@pytest.mark.django_db
def test_the_crawl_covers_the_sites_pages_including_admin_and_sign_in():
    urls = crawlable_urls()

    for url in (
        "/",
        "/privacy/",
        "/safe-and-secure/",
        "/cookies/",
        "/safe-and-secure/versions/",
        "/privacy/versions/1/",
        "/privacy/versions/2/changes/",
        "/accounts/login/",
        "/accounts/signup/",
        "/account/privacy/",
        "/admin/",
        "/admin/privacy/dailycount/",
        "/admin/privacy/disclosure/add/",
    ):
        assert url in urls


# --- The crawl itself fails when it should ---------------------------------------------


def late_page(request):
    response = HttpResponse("a page another app adds later")
    response.set_cookie("tracker", "1")
    return response


def late_preference(request):
    response = HttpResponse("sets an optional cookie without asking")
    response.set_cookie(REMEMBERED_EMAIL_COOKIE, "x@example.com")
    return response


urlpatterns = [
    *site_urlpatterns,
    path("late/", late_page),
    path("late-preference/", late_preference),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_crawl_finds_a_page_added_later_that_sets_an_unlisted_cookie():
    problems = crawl(Client(), crawlable_urls(__name__))

    assert "/late/ sets 'tracker', which is not in the cookie registry" in problems


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_crawl_finds_an_optional_cookie_set_without_consent():
    rejected = Client()
    rejected.cookies[CHOICES_COOKIE] = "necessary"
    accepted = Client()
    accepted.cookies[CHOICES_COOKIE] = "necessary:preferences"

    assert crawl(rejected, ["/late-preference/"]) == [
        "/late-preference/ sets the preferences cookie 'cp_email' without consent"
    ]
    assert crawl(accepted, ["/late-preference/"]) == []
