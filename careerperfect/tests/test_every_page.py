"""Every page reachable by links, as a visitor and as a signed-in job seeker, and the
pages a sign-in passes through: no errors or broken links, the security headers,
valid HTML and no serious accessibility violations."""

import json
import re
import subprocess
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from careerperfect.testing import site_crawl
from consent.purposes import Purpose, Source
from consent.services import consent_grant, subject_get_or_create
from feedback.tests.factories import FeedbackFactory
from mail.services import address_confirmation_request
from orders.models import Order, Product
from orders.selectors import order_access_token
from orders.tests.factories import placed_order
from privacy.models import Disclosure
from privacy.services import disclosure_record
from resumes.models import DisclosureAuthorization, ResumeWorkspace
from resumes.services import resume_file_upload

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "tools" / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SIGNED_IN_START = ("/", "/account/privacy/")


def to_confirm(seeker: User) -> None:
    """What the demo data lacks for its pages to lead to every question page (cancel
    an order, delete an uploaded resume, revoke a recipient): an unpaid order, an
    upload and a recipient authorized."""
    placed_order(Product.objects.get(slug="cover-letter"), user=seeker)
    workspace = ResumeWorkspace.objects.filter(owner=seeker).first()
    resume_file_upload(workspace=workspace, actor=seeker, name="cv.txt", data=b"Jordan Seeker\n")
    DisclosureAuthorization.objects.create(
        workspace=workspace, recipient_name="Acme", recipient_email="jobs@acme.example"
    )


@pytest.fixture
def demo(db, capsys, settings):
    call_command("seed_demo")
    capsys.readouterr()
    seeker = User.objects.get(email="jobseeker@example.com")
    to_confirm(seeker)
    # One row a page, and at least two rows in each list that grows with a person's
    # history, so that the crawl reaches the second page of each by its links.
    settings.LIST_PAGE_SIZE = 1
    for n in range(2):
        FeedbackFactory(user=seeker)
        disclosure_record(
            recipient=f"Recipient {n}",
            data_categories=["name"],
            basis=Disclosure.Basis.AUTHORIZATION,
            subjects=[subject_get_or_create(user=seeker)],
        )
    return seeker


@pytest.fixture
def expired_link(demo) -> str:
    """A guest order's link made longer ago than links work (its page answers 410)."""
    guest_order = Order.objects.filter(user__isnull=True).earliest("created_at")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 400 * 86400):
        return reverse("orders:link", args=[order_access_token(guest_order)])


@pytest.fixture
def unlinked(expired_link) -> dict[str, int]:
    """Pages no link of the site leads to, with their status: an expired order link,
    the link of an unpaid guest order (which leads to its cancel question), and the
    link of an address confirmation e-mail, fresh and expired."""

    def confirm_link(email: str) -> str:
        consent_grant(email=email, purpose=Purpose.MARKETING, source=Source.CHECKOUT)
        message = address_confirmation_request(email=email, occasion="placing an order")
        return re.search(r"https?://[^/]+(/mail/confirm-address/\S+/)", message.text).group(1)

    with mock.patch("django.core.signing.time.time", return_value=time.time() - 400 * 86400):
        expired_confirm = confirm_link("late.reader@example.com")
    unpaid = placed_order(Product.objects.get(slug="cover-letter"), email="una.paid@example.com")
    return {
        expired_link: 410,
        reverse("orders:link", args=[order_access_token(unpaid)]): 200,
        confirm_link("guest.reader@example.com"): 200,
        expired_confirm: 410,
    }


def crawl_as(client, user, unlinked, *, secure=False):
    if user is None:
        # With the pages no link leads to, and where a form's answer goes.
        start = ("/", reverse("orders:links_sent"), *unlinked)
        return site_crawl(client, start=start, secure=secure)
    client.force_login(user)
    return site_crawl(client, start=SIGNED_IN_START, secure=secure)


def mid_sign_in(client, settings, *, secure=False) -> dict:
    """The pages a sign-in passes through, which no link leads to: a staff account with
    no two-factor authentication yet is asked for a code sent by e-mail."""
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True)
    login = {"login": staff.email, "password": PASSWORD}
    client.post(reverse("account_login"), login, secure=secure)
    url = reverse("account_confirm_login_code")
    pages = {
        url: client.get(url, secure=secure),
        f"{url}?wrong": client.post(url, {"code": "AAAA-AAAA"}, secure=secure),
    }
    assert [response.status_code for response in pages.values()] == [200, 200]
    return pages


def html_pages(pages: dict) -> dict:
    return {
        url: response
        for url, response in pages.items()
        if response.status_code in (200, 410) and "text/html" in response["Content-Type"]
    }


# Pages that ask before an action that cannot be undone: the crawls below (errors,
# headers, HTML, accessibility, phone screens) must reach each of them.
QUESTION_PAGES = {
    "orders:cancel",
    "orders:link_cancel",
    "resumes:file_delete",
    "resumes:share_revoke",
}


def test_the_crawl_reaches_every_question_page(client, demo, unlinked):
    reached = set()
    for persona in (None, demo):
        urls = html_pages(crawl_as(client, persona, unlinked))
        reached |= {resolve(urlsplit(url).path).view_name for url in urls}
        client.logout()

    assert QUESTION_PAGES - reached == set()


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "job-seeker"])
def test_every_linked_page_answers_without_error(client, demo, unlinked, signed_in):
    pages = crawl_as(client, demo if signed_in else None, unlinked)

    failures = {url: r.status_code for url, r in pages.items() if r.status_code >= 400}
    assert failures == ({} if signed_in else {u: s for u, s in unlinked.items() if s >= 400})
    assert len(html_pages(pages)) >= 5
    if signed_in:  # The lists' second pages (see demo) are among the pages checked.
        privacy = reverse("accounts:privacy")
        assert {
            f"{reverse('orders:list')}?page=2",
            f"{reverse('feedback:mine')}?page=2",
            f"{privacy}?history_page=2",
            f"{privacy}?disclosures_page=2",
            f"{privacy}?history_page=2&disclosures_page=2",
        } <= set(pages)


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "job-seeker"])
def test_every_page_carries_the_security_headers(client, demo, unlinked, signed_in):
    pages = html_pages(crawl_as(client, demo if signed_in else None, unlinked, secure=True))

    for url, response in pages.items():
        assert_security_headers(url, response)


def assert_security_headers(url, response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert re.search(r"script-src 'self'( 'nonce-[^']+')?;", csp), url
    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    ), url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] == "same-origin", url
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert "camera=()" in headers["Permissions-Policy"], url
    nonce = re.search(r"'nonce-([^']+)'", csp)
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", response.content.decode()):
        assert nonce and f'nonce="{nonce.group(1)}"' in tag, (url, tag)


def test_the_pages_a_sign_in_passes_through_carry_the_security_headers(client, db, settings):
    for url, response in mid_sign_in(client, settings, secure=True).items():
        assert_security_headers(url, response)


@pytest.mark.a11y_tools
def test_every_page_is_valid_html(client, demo, unlinked, settings, tmp_path):
    pages = {}
    for persona in (None, demo):
        pages |= html_pages(crawl_as(client, persona, unlinked))
        client.logout()
    pages |= mid_sign_in(client, settings)
    files = {}
    folder = tmp_path / "pages"
    folder.mkdir()
    for index, (url, response) in enumerate(pages.items()):
        file = folder / f"page{index}.html"
        file.write_bytes(response.content)
        files[file.name] = url

    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *map(str, sorted(folder.iterdir())),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{files[Path(m['url']).name]}: {m['message']}" for m in messages]
    assert errors == []


def browser_context_as(client, persona, chromium, live_server, **options):
    """A browser context signed in as the crawl's test client was, if it was."""
    from django.conf import settings

    context = chromium.new_context(**options)
    if persona is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


def axe_problems(page, url) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run({resultTypes: ['violations']})")
    return [
        f"{url}: {violation['id']} ({violation['impact']}) "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.a11y_tools
def test_every_page_has_no_serious_accessibility_violation(
    client, demo, unlinked, settings, chromium, live_server
):
    problems = []
    for persona in (None, demo):
        urls = list(html_pages(crawl_as(client, persona, unlinked)))
        context = browser_context_as(client, persona, chromium, live_server, bypass_csp=True)
        page = context.new_page()
        for url in urls:
            page.goto(live_server.url + url)
            problems += axe_problems(page, url)
        context.close()
        client.logout()
    # Mid-sign-in, as the page is shown and after a wrong code.
    url = next(iter(mid_sign_in(client, settings)))
    context = browser_context_as(client, "staff", chromium, live_server, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + url)
    problems += axe_problems(page, url)
    page.fill("#id_code", "BBBB-BBBB")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(".form-errors")
    problems += axe_problems(page, f"{url} (a wrong code)")
    context.close()

    assert problems == []


@pytest.mark.browser
def test_every_page_fits_a_phone_screen_without_sideways_scrolling(
    client, demo, unlinked, settings, chromium, live_server
):
    phone = {"viewport": {"width": 360, "height": 740}}
    wider = []

    def check(page, url):
        page.goto(live_server.url + url)
        width, visible = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width > visible:
            wider.append(f"{url}: {width}px wide on a {visible}px screen")

    for persona in (None, demo):
        urls = list(html_pages(crawl_as(client, persona, unlinked)))
        context = browser_context_as(client, persona, chromium, live_server, **phone)
        page = context.new_page()
        for url in urls:
            check(page, url)
        context.close()
        client.logout()
    url = next(iter(mid_sign_in(client, settings)))
    context = browser_context_as(client, "staff", chromium, live_server, **phone)
    check(context.new_page(), url)
    context.close()

    assert wider == []
