"""The access walker: every named URL of the site, requested as the owner of what it
points to, as another signed-in person and as an anonymous visitor.

Every URL pattern that takes an argument is classified here, in one of four tables:
OWNED (names something of one person's: only they reach it), PUBLIC (a public
identifier), CAPABILITY (a signed token that is itself the permission) and STAFF_ONLY.
URLs without arguments are either SIGNED_IN_ONLY, OPEN or STAFF_ONLY. A new URL in no
table fails test_every_named_url_is_in_exactly_one_table, so that whoever adds it
decides who may reach it. Django admin's own URLs are left to
careerperfect/tests/test_roles_matrix.py; views an app adds to the admin are walked.
"""

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from accounts.roles import MARKETING, PRIVACY_OFFICER, RESUME_WRITER, SUPPORT
from accounts.tests.test_account_erasure import reauthenticate
from assessments.models import Answer, Sitting
from assessments.selectors import sitting_page
from careerperfect.tests.belongings import (
    SOFTWARE_BUILD,
    Belongings,
    belongings_create,
    private_storage_in,
)
from consent.purposes import Purpose
from consent.selectors import consent_is_granted
from feedback.models import Feedback
from mail.models import InboundMessage, OutboundMessage
from orders.models import Order, Payment
from privacy.models import PolicyVersion, StaffAccess
from privacy.selectors import policy_versions_published
from resumes.models import DisclosureAuthorization, ResumeFile, ResumeWorkspace
from resumes.selectors import resume_latest_draft
from resumes.tests.factories import staff_member

# The admin's own pages (its index, sign-in, and every ModelAdmin's changelist, add,
# change, delete and history views); test_roles_matrix.py holds who may use them.
ADMIN_OWN = re.compile(
    r"^admin:(index|login|logout|password_change|password_change_done|autocomplete|jsi18n"
    r"|view_on_site|app_list|auth_user_password_change|\w+_(changelist|add|change|delete|history))$"
)


def named_urls() -> dict[str, int]:
    """Every named URL pattern of the site but the admin's own: name → argument count."""
    found: dict[str, int] = {}

    def walk(resolver, namespace: str, outer_arguments: int):
        for pattern in resolver.url_patterns:
            arguments = outer_arguments + pattern.pattern.regex.groups
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}{pattern.namespace}:"
                walk(pattern, inner, arguments)
            elif pattern.name:
                name = namespace + pattern.name
                if not ADMIN_OWN.match(name):
                    found[name] = arguments

    walk(get_resolver(), "", 0)
    return found


# --- The tables --------------------------------------------------------------------

Kwargs = Callable[[Belongings], dict]


@dataclass(frozen=True)
class Owned:
    """A URL naming something of alice's: hers alone (404 for anyone else)."""

    kwargs: Kwargs
    get: int | None = 200  # alice's answer to GET; None for a POST-only action
    post: Callable[[Belongings], dict] | None = None  # a POST alice makes successfully
    effect: Callable[[Belongings], object] | None = None  # what that POST changes
    # Bob's own outer object with alice's inner one: must not join them up.
    crossed: Kwargs | None = None


@dataclass(frozen=True)
class Public:
    reason: str
    kwargs: Kwargs
    anonymous: int = 200  # a visitor's answer to GET
    signed_in: int | None = None  # a signed-in stranger's answer to GET, if not the same
    missing: Kwargs | None = None  # an identifier nothing has: 404
    missing_method: str = "get"


@dataclass(frozen=True)
class Capability:
    reason: str
    kwargs: Kwargs  # alice's genuine link
    get: int | None = 200  # its answer to GET; None when the link only takes POST
    post: Callable[[Belongings], dict] | None = None
    effect: Callable[[Belongings], object] | None = None
    posted: int = 302  # the answer to the genuine POST
    refused: int = 404  # the answer to a tampered or foreign token
    shows: Callable[[Belongings], bytes] | None = None  # of alice's, in the genuine answer
    forged: Callable[[Belongings], list[dict]] | None = None  # instead of the generic ones


@dataclass(frozen=True)
class StaffOnly:
    kwargs: Kwargs
    allowed: frozenset[str]  # personas (STAFF_PERSONAS) that may; everyone else may not
    logged: bool = False  # each allowed look is recorded for the Privacy Officer
    method: str = "get"  # "post" for an action
    succeeds: int = 200  # the allowed personas' answer


def _upload(b: Belongings) -> dict:
    return {"file": SimpleUploadedFile("cv.txt", b"Alice Avery\nStaff nurse\n", "text/plain")}


def _first_item(sitting: Sitting) -> str:
    return f"item_{sitting_page(sitting=sitting, number=1).items[0].pk}"


def _answers(sitting: Sitting) -> dict:
    return dict(Answer.objects.filter(sitting=sitting).values_list("item_id", "value"))


def _line(order: Order) -> int:
    return order.lines.get().pk


def _status(model, pk):
    return model.objects.filter(pk=pk).values_list("status", flat=True).get()


OWNED: dict[str, Owned] = {
    "accounts:session_end": Owned(
        lambda b: {"session_id": b.other_session.pk},
        get=None,
        post=lambda b: {},
        effect=lambda b: type(b.other_session).objects.filter(pk=b.other_session.pk).exists(),
    ),
    "accounts:data_export": Owned(lambda b: {"public_id": b.data_export.public_id}),
    "accounts:data_export_download": Owned(lambda b: {"public_id": b.data_export.public_id}),
    "feedback:withdraw": Owned(
        lambda b: {"public_id": b.feedback.public_id},
        get=None,
        post=lambda b: {},
        effect=lambda b: Feedback.objects.get(pk=b.feedback.pk).publish,
    ),
    "assessments:resume": Owned(lambda b: {"public_id": b.sitting_in_progress.public_id}, get=302),
    "assessments:page": Owned(
        lambda b: {"public_id": b.sitting_in_progress.public_id, "number": 1},
        post=lambda b: {"action": "later", _first_item(b.sitting_in_progress): "5"},
        effect=lambda b: _answers(b.sitting_in_progress),
    ),
    "assessments:result": Owned(lambda b: {"public_id": b.sitting_scored.public_id}),
    "assessments:result_print": Owned(lambda b: {"public_id": b.sitting_scored.public_id}),
    "assessments:status": Owned(lambda b: {"public_id": b.sitting_scored.public_id}),
    "assessments:retry": Owned(
        lambda b: {"public_id": b.sitting_delayed.public_id},
        get=None,
        post=lambda b: {},
        effect=lambda b: _status(Sitting, b.sitting_delayed.pk),
    ),
    "orders:detail": Owned(lambda b: {"public_id": b.order.public_id}),
    "orders:pay": Owned(
        lambda b: {"public_id": b.order.public_id},
        get=None,
        post=lambda b: {},
        effect=lambda b: Payment.objects.filter(order=b.order).count(),
    ),
    "orders:cancel": Owned(
        lambda b: {"public_id": b.order.public_id},
        post=lambda b: {},
        effect=lambda b: _status(Order, b.order.pk),
    ),
    "orders:download": Owned(
        lambda b: {"public_id": b.software_order.public_id, "line_id": _line(b.software_order)},
        crossed=lambda b: {
            "public_id": b.bob_software_order.public_id,
            "line_id": _line(b.software_order),
        },
    ),
    "resumes:workspace": Owned(lambda b: {"public_id": b.resume_delivered.public_id}),
    "resumes:questionnaire": Owned(
        lambda b: {"public_id": b.resume_open.public_id, "step": 1},
        post=lambda b: {"target_job": "Ward manager", "industry": "Health", "go": "stay"},
        effect=lambda b: ResumeWorkspace.objects.get(pk=b.resume_open.pk).questionnaire.target_job,
    ),
    "resumes:upload": Owned(
        lambda b: {"public_id": b.resume_open.public_id},
        post=_upload,
        effect=lambda b: ResumeFile.objects.filter(workspace=b.resume_open).count(),
    ),
    "resumes:file": Owned(
        lambda b: {"public_id": b.resume_delivered.public_id, "file_id": b.resume_upload.public_id},
        crossed=lambda b: {
            "public_id": b.bob_resume.public_id,
            "file_id": b.resume_upload.public_id,
        },
    ),
    "resumes:file_delete": Owned(
        lambda b: {"public_id": b.resume_delivered.public_id, "file_id": b.resume_upload.public_id},
        post=lambda b: {},
        effect=lambda b: ResumeFile.objects.filter(pk=b.resume_upload.pk).exists(),
        crossed=lambda b: {
            "public_id": b.bob_resume.public_id,
            "file_id": b.resume_upload.public_id,
        },
    ),
    "resumes:review": Owned(
        lambda b: {"public_id": b.resume_with_draft.public_id},
        get=None,
        post=lambda b: {
            "decision": "revise",
            "comment": "Shorter, please.",
            "draft": resume_latest_draft(workspace=b.resume_with_draft).public_id,
        },
        effect=lambda b: _status(ResumeWorkspace, b.resume_with_draft.pk),
    ),
    "resumes:share": Owned(
        lambda b: {"public_id": b.resume_delivered.public_id},
        post=lambda b: {
            "recipient_name": "Beta Care",
            "recipient_email": "jobs@beta.example",
            "authorize": "on",
        },
        effect=lambda b: DisclosureAuthorization.objects.filter(
            workspace=b.resume_delivered
        ).count(),
    ),
    "resumes:share_again": Owned(
        lambda b: {
            "public_id": b.resume_delivered.public_id,
            "authorization_id": b.authorization.public_id,
        },
        get=None,
        post=lambda b: {},
        effect=lambda b: b.authorization.sends.count(),
        crossed=lambda b: {
            "public_id": b.bob_resume.public_id,
            "authorization_id": b.authorization.public_id,
        },
    ),
    "resumes:share_revoke": Owned(
        lambda b: {
            "public_id": b.resume_delivered.public_id,
            "authorization_id": b.authorization.public_id,
        },
        post=lambda b: {},
        effect=lambda b: DisclosureAuthorization.objects.get(pk=b.authorization.pk).revoked_at,
        crossed=lambda b: {
            "public_id": b.bob_resume.public_id,
            "authorization_id": b.authorization.public_id,
        },
    ),
}

PRIVACY_POLICY = PolicyVersion.Document.PRIVACY_POLICY


def _published_version(b: Belongings) -> dict:
    latest = policy_versions_published(document=PRIVACY_POLICY).order_by("-version").first()
    return {"document": PRIVACY_POLICY, "version": latest.version}


PUBLIC: dict[str, Public] = {
    "privacy:archive": Public(
        "a policy document's name: its published versions are kept for everyone (P16)",
        lambda b: {"document": PRIVACY_POLICY},
    ),
    "privacy:version": Public(
        "a published version of a policy document, public by definition (P16)",
        _published_version,
        missing=lambda b: {"document": PRIVACY_POLICY, "version": 999},
    ),
    "privacy:changes": Public(
        "the changes a published policy version made, public (P16)",
        _published_version,
        missing=lambda b: {"document": PRIVACY_POLICY, "version": 999},
    ),
    "contests:detail": Public(
        "a contest's slug: contests are advertised to everyone",
        lambda b: {"slug": b.contest.slug},
        missing=lambda b: {"slug": "no-such-contest"},
    ),
    "contests:entered": Public(
        "the thank-you page of a contest; says nothing about who entered",
        lambda b: {"slug": b.contest.slug},
        missing=lambda b: {"slug": "no-such-contest"},
    ),
    "orders:product": Public(
        "a product's slug in the public catalog",
        lambda b: {"slug": b.product.slug},
        missing=lambda b: {"slug": "no-such-product"},
    ),
    "orders:cart_add": Public(
        "a product's slug; adds it to the requester's own session cart (POST only)",
        lambda b: {"slug": b.product.slug},
        anonymous=405,
        missing=lambda b: {"slug": "no-such-product"},
        missing_method="post",
    ),
    "orders:cart_remove": Public(
        "a product's id; removes it from the requester's own session cart only (POST only)",
        lambda b: {"product_id": b.product.pk},
        anonymous=405,
    ),
    "assessments:start": Public(
        "an assessment's code from the public list; starts the requester's own sitting",
        lambda b: {"code": b.sitting_scored.instrument.code},
        anonymous=302,
        signed_in=405,
        missing=lambda b: {"code": "no-such-assessment"},
        missing_method="post",
    ),
}


def _feedback_body(b: Belongings) -> bytes:
    return b.feedback.body.encode()


CAPABILITY: dict[str, Capability] = {
    "account_confirm_email": Capability(
        "allauth's signed key in the confirmation e-mail sent to the address",
        lambda b: {"key": b.email_confirmation_key},
        # allauth answers an invalid key with a page saying the link is not valid.
        refused=200,
        shows=lambda b: b.unconfirmed_email.email.encode(),
    ),
    "account_reset_password_from_key": Capability(
        "allauth's user id and token from the password reset e-mail",
        lambda b: b.password_reset,
        # A genuine key is kept in the session and the browser sent on to a URL
        # without it; a bad one gets a page saying the link is not valid.
        get=302,
        refused=200,
        forged=lambda b: [
            {**b.password_reset, "key": _flipped(b.password_reset["key"], -1)},
            {**b.password_reset, "uidb36": _flipped(b.password_reset["uidb36"], 0)},
            *({**b.password_reset, "key": token} for token in _tokens(b).values()),
        ],
    ),
    "orders:link": Capability(
        "the signed link to a guest's order, e-mailed to the buyer",
        lambda b: {"token": b.order_link_token},
        # As the page shows it: a reference of digits alone can also be part of a
        # token, which the page repeats (the cookie banner's way back).
        shows=lambda b: f"Order {b.guest_order.reference}".encode(),
    ),
    "orders:link_pay": Capability(
        "the guest order link's pay button",
        lambda b: {"token": b.order_link_token},
        get=None,
        post=lambda b: {},
        effect=lambda b: Payment.objects.filter(order=b.guest_order).count(),
    ),
    "orders:link_cancel": Capability(
        "the guest order link's cancel question and button",
        lambda b: {"token": b.order_link_token},
        post=lambda b: {},
        effect=lambda b: _status(Order, b.guest_order.pk),
        shows=lambda b: f"Cancel order {b.guest_order.reference}?".encode(),
    ),
    "orders:link_renew": Capability(
        "the expired guest order link's button: a new link goes to the order's address",
        lambda b: {"token": b.order_link_token},
        get=None,
        post=lambda b: {},
        effect=lambda b: OutboundMessage.objects.filter(to=b.guest_order.email).count(),
    ),
    "orders:link_download": Capability(
        "the guest order link's download of the software bought with it",
        lambda b: {"token": b.guest_software_link_token, "line_id": _line(b.guest_software_order)},
        shows=lambda b: SOFTWARE_BUILD,
        forged=lambda b: [
            {"token": token, "line_id": _line(b.guest_software_order)}
            for token in [
                _flipped(b.guest_software_link_token, -1),
                _flipped(b.guest_software_link_token, 0),
                *_tokens(b).values(),
            ]
        ],
    ),
    "orders:sandbox_pay": Capability(
        "the sandbox provider's signed payment page, reached from checkout",
        lambda b: {"token": b.sandbox_token},
        post=lambda b: {"outcome": "success"},
        effect=lambda b: _status(Payment, b.order_payment.pk),
        shows=lambda b: f"<dd>{b.order.reference}</dd>".encode(),
    ),
    "feedback:withdraw_by_link": Capability(
        "the signed withdraw link e-mailed to the author of a published story",
        lambda b: {"token": b.feedback_withdraw_token},
        post=lambda b: {},
        posted=200,
        effect=lambda b: Feedback.objects.get(pk=b.feedback.pk).publish,
        shows=_feedback_body,
    ),
    "mail:unsubscribe": Capability(
        "the signed one-click unsubscribe link of a campaign e-mail (RFC 8058)",
        lambda b: {"token": b.unsubscribe_token},
        post=lambda b: {},
        posted=200,
        effect=lambda b: consent_is_granted(user=b.alice, purpose=Purpose.SITE_UPDATES),
        shows=lambda b: b.alice.email.encode(),
    ),
    "mail:keep_subscribed": Capability(
        'the signed, expiring "this wasn\'t me" link of a remove confirmation',
        lambda b: {"token": b.keep_subscribed_token},
        post=lambda b: {},
        posted=200,
        effect=lambda b: InboundMessage.objects.get(pk=b.removal.pk).undone_at is not None,
    ),
    "mail:confirm_address": Capability(
        "the signed, expiring link of an e-mail asking the owner to confirm an address",
        lambda b: {"token": b.address_confirm_token},
        post=lambda b: {"purpose": Purpose.MARKETING},
        posted=200,
        effect=lambda b: consent_is_granted(
            email="alice.guest@example.com", purpose=Purpose.MARKETING, in_force=True
        ),
        shows=lambda b: b"alice.guest@example.com",
    ),
    "resumes:shared_file": Capability(
        "the signed, expiring link e-mailed to a recipient the owner authorized",
        lambda b: {"token": b.shared_file_token},
        shows=lambda b: b"Alice Avery",
    ),
}

# Staff personas of STAFF_ONLY; "assigned writer" is the writer of alice's resumes.
STAFF_PERSONAS = (
    "anonymous",
    "job seeker",
    SUPPORT,
    "assigned writer",
    RESUME_WRITER,
    MARKETING,
    PRIVACY_OFFICER,
)

STAFF_ONLY: dict[str, StaffOnly] = {
    "assessments:staff_result": StaffOnly(
        lambda b: {"public_id": b.sitting_scored.public_id},
        allowed=frozenset({PRIVACY_OFFICER}),
        logged=True,
    ),
    "admin:resumes_resumeworkspace_file": StaffOnly(
        lambda b: {"pk": b.resume_delivered.pk, "file_id": b.resume_upload.public_id},
        allowed=frozenset({"assigned writer", PRIVACY_OFFICER}),
        logged=True,
    ),
    "admin:resumes_resumeworkspace_draft": StaffOnly(
        lambda b: {"pk": b.resume_with_draft.pk},
        allowed=frozenset({"assigned writer"}),
    ),
    "admin:mail_campaign_preview": StaffOnly(
        lambda b: {"pk": b.delivery.campaign_id},
        allowed=frozenset({MARKETING, PRIVACY_OFFICER}),
    ),
    "admin:mail_campaign_test": StaffOnly(
        lambda b: {"pk": b.delivery.campaign_id},
        allowed=frozenset({MARKETING}),
        method="post",
        succeeds=302,
    ),
    "admin:mail_campaign_send": StaffOnly(
        lambda b: {"pk": b.delivery.campaign_id},
        allowed=frozenset({MARKETING}),
        method="post",
        succeeds=302,
    ),
    "admin:mail_campaign_unschedule": StaffOnly(
        lambda b: {"pk": b.delivery.campaign_id},
        allowed=frozenset({MARKETING}),
        method="post",
        succeeds=302,
    ),
    "admin:privacy_dailycount_partner_report": StaffOnly(
        lambda b: {},
        allowed=frozenset({MARKETING}),
    ),
}

# Without arguments: pages of the signed-in person's own; a visitor is sent to sign in.
SIGNED_IN_ONLY = frozenset(
    {
        "accounts:privacy",
        "accounts:profile",
        "accounts:profile_delete",
        "accounts:sessions_end_others",
        "accounts:data_export_new",
        "accounts:delete",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email",
        "account_change_password",
        "account_set_password",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "usersessions_list",
        "feedback:mine",
        "assessments:index",
        "orders:list",
        "resumes:list",
    }
)

# Without arguments, open to anyone: a visitor's answer to GET.
OPEN: dict[str, int] = {
    "home": 200,
    "contact": 200,
    "healthz": 200,
    "accounts:deleted": 200,
    "account_login": 200,
    "account_signup": 200,
    "account_logout": 302,  # nobody to sign out: back home
    "account_inactive": 200,
    "account_email_verification_sent": 200,
    "account_reset_password": 200,
    "account_reset_password_done": 200,
    "account_reset_password_from_key_done": 200,
    # Steps of signing in: with no sign-in under way, back to its first page.
    "account_confirm_login_code": 302,
    "mfa_authenticate": 302,
    "privacy:policy": 200,
    "privacy:safe_and_secure": 200,
    "privacy:cookies": 200,
    "privacy:cookie_choices": 405,  # the cookie banner's POST
    "accounts:unsent_form_discard": 405,  # POST: drops the form this browser kept
    "feedback:new": 200,
    "feedback:thanks": 200,
    "feedback:success_stories": 200,
    "contests:list": 200,
    "orders:products": 200,
    "orders:cart": 200,
    "orders:find": 200,
    "orders:links_sent": 200,
    "orders:checkout": 302,  # an empty cart: back to the cart
    "orders:stripe_webhook": 405,  # Stripe's signed POST
}


# --- Helpers -----------------------------------------------------------------------


@pytest.fixture
def belongings(db, settings, tmp_path) -> Belongings:
    private_storage_in(settings, tmp_path / "private")
    # allauth's rate limits would answer 429 part-way through the walk.
    settings.ACCOUNT_RATE_LIMITS = False
    return belongings_create()


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@contextmanager
def undone():
    """Whatever the requests inside change in the database is rolled back after."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def request(client: Client, method: str, name: str, kwargs: dict, data=None):
    url = reverse(name, kwargs=kwargs)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    # Read streamed files to the end, which closes them.
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def sent_to_sign_in(response, login: str = "account_login") -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(login))


def _flipped(text: str, index: int) -> str:
    """The text with one character changed."""
    index %= len(text)
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def _tokens(b: Belongings) -> dict[str, str]:
    """Every genuine capability token of alice's, by the URL it belongs to."""
    return {
        "account_confirm_email": b.email_confirmation_key,
        "orders:link": b.order_link_token,
        "orders:sandbox_pay": b.sandbox_token,
        "feedback:withdraw_by_link": b.feedback_withdraw_token,
        "resumes:shared_file": b.shared_file_token,
    }


def forged_links(name: str, capability: Capability, b: Belongings) -> list[dict]:
    """A capability's link with its token tampered with, and with the tokens of the
    other capabilities (each genuine, but signed for something else)."""
    if capability.forged is not None:
        return capability.forged(b)
    genuine = capability.kwargs(b)
    (argument,) = genuine
    token = genuine[argument]
    tokens = _tokens(b)
    own = tokens.get(name, token)
    foreign = [value for value in tokens.values() if value != own]
    return [
        {argument: value}
        for value in [_flipped(token, -1), _flipped(token, 0), token + "x", *foreign]
    ]


# --- Every URL is classified ---------------------------------------------------------


def test_every_named_url_is_in_exactly_one_table():
    urls = named_urls()
    with_arguments = {name for name, count in urls.items() if count}
    without = set(urls) - with_arguments
    tables = {
        "OWNED": set(OWNED),
        "PUBLIC": set(PUBLIC),
        "CAPABILITY": set(CAPABILITY),
        "STAFF_ONLY": set(STAFF_ONLY),
        "SIGNED_IN_ONLY": set(SIGNED_IN_ONLY),
        "OPEN": set(OPEN),
    }
    problems = []
    for name in sorted(with_arguments):
        found = [table for table, names in tables.items() if name in names]
        if not found:
            problems.append(
                f"{name} takes an argument but is in no table of {__name__}: add it to OWNED "
                "(with alice's object), PUBLIC or CAPABILITY (with a reason) or STAFF_ONLY"
            )
        elif len(found) > 1 or found[0] in ("SIGNED_IN_ONLY", "OPEN"):
            problems.append(f"{name} takes an argument but is in {found}")
    for name in sorted(without):
        found = [table for table, names in tables.items() if name in names]
        if not found:
            problems.append(
                f"{name} is in no table of {__name__}: add it to SIGNED_IN_ONLY, OPEN or STAFF_ONLY"
            )
        elif len(found) > 1 or found[0] in ("OWNED", "PUBLIC", "CAPABILITY"):
            problems.append(f"{name} takes no argument but is in {found}")
    for table, names in tables.items():
        problems.extend(f"{table} names {name}, which no URL has" for name in names - set(urls))
    assert not problems, "\n".join(problems)


def test_the_walker_sees_the_urls_of_every_app_and_of_allauth():
    urls = named_urls()

    for expected in (
        "accounts:data_export",
        "resumes:file",
        "assessments:result",
        "orders:detail",
        "feedback:withdraw",
        "account_confirm_email",
        "mfa_index",
        "admin:resumes_resumeworkspace_file",
    ):
        assert expected in urls
    assert "admin:orders_order_change" not in urls


# --- Owned: the owner's alone ---------------------------------------------------------


def test_owned_urls_answer_another_person_with_404_and_change_nothing(belongings):
    bob = signed_in(belongings.bob)
    problems = []
    for name, owned in OWNED.items():
        kwargs = owned.kwargs(belongings)
        with undone():
            before = owned.effect(belongings) if owned.effect else None
            if owned.get is not None:
                response = request(bob, "get", name, kwargs)
                if response.status_code != 404:
                    problems.append(f"GET {name} as bob: {response.status_code}")
            if owned.post is not None:
                response = request(bob, "post", name, kwargs, owned.post(belongings))
                if response.status_code != 404:
                    problems.append(f"POST {name} as bob: {response.status_code}")
                if owned.effect(belongings) != before:
                    problems.append(f"POST {name} as bob changed {before!r}")
            if owned.crossed is not None:
                method = "get" if owned.get is not None else "post"
                response = request(bob, method, name, owned.crossed(belongings))
                if response.status_code != 404:
                    problems.append(
                        f"{method.upper()} {name} with bob's own outer id and alice's inner "
                        f"one: {response.status_code}"
                    )
                if owned.effect and owned.effect(belongings) != before:
                    problems.append(f"{name} with bob's outer id changed {before!r}")
    assert not problems, "\n".join(problems)


def test_owned_urls_send_a_visitor_to_sign_in_or_answer_404(belongings):
    visitor = signed_in(None)
    problems = []
    for name, owned in OWNED.items():
        kwargs = owned.kwargs(belongings)
        with undone():
            before = owned.effect(belongings) if owned.effect else None
            for method in ("get", "post"):
                if getattr(owned, method) is None:
                    continue
                data = owned.post(belongings) if method == "post" else None
                response = request(visitor, method, name, kwargs, data)
                if not (sent_to_sign_in(response) or response.status_code == 404):
                    problems.append(f"{method.upper()} {name} as a visitor: {response.status_code}")
                if owned.effect and owned.effect(belongings) != before:
                    problems.append(f"{method.upper()} {name} as a visitor changed {before!r}")
    assert not problems, "\n".join(problems)


def test_owned_urls_work_for_their_owner(belongings):
    alice = signed_in(belongings.alice)
    # Ending another session asks for the password again first.
    reauthenticate(alice)
    problems = []
    for name, owned in OWNED.items():
        kwargs = owned.kwargs(belongings)
        with undone():
            if owned.get is not None:
                response = request(alice, "get", name, kwargs)
                if response.status_code != owned.get:
                    problems.append(f"GET {name} as alice: {response.status_code}")
            if owned.post is not None:
                before = owned.effect(belongings)
                response = request(alice, "post", name, kwargs, owned.post(belongings))
                # A successful POST redirects (post/redirect/get), never to sign in.
                if response.status_code != 302 or sent_to_sign_in(response):
                    problems.append(f"POST {name} as alice: {response.status_code}")
                # Proves the effect is one a stranger's POST would have shown.
                if owned.effect(belongings) == before:
                    problems.append(f"POST {name} as alice changed nothing ({before!r})")
    assert not problems, "\n".join(problems)


# --- Public identifiers and capability links -------------------------------------------


def test_public_identifiers_answer_anyone_and_an_unknown_one_404(belongings):
    visitor, bob = signed_in(None), signed_in(belongings.bob)
    problems = []
    for name, public in PUBLIC.items():
        kwargs = public.kwargs(belongings)
        with undone():
            response = request(visitor, "get", name, kwargs)
            if response.status_code != public.anonymous:
                problems.append(f"GET {name} as a visitor: {response.status_code}")
            response = request(bob, "get", name, kwargs)
            expected = public.signed_in or public.anonymous
            if response.status_code != expected:
                problems.append(f"GET {name} as bob: {response.status_code}")
            if public.missing is not None:
                response = request(bob, public.missing_method, name, public.missing(belongings))
                if response.status_code != 404:
                    problems.append(f"{name} with an unknown identifier: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_removing_from_the_cart_touches_only_the_requesters_own_cart(belongings):
    alice, bob = signed_in(belongings.alice), signed_in(belongings.bob)
    alice.post(reverse("orders:cart_add", args=[belongings.product.slug]))

    bob.post(reverse("orders:cart_remove", args=[belongings.product.pk]))

    assert belongings.product.name in alice.get(reverse("orders:cart")).content.decode()


def test_capability_links_work_with_their_token_and_refuse_a_forged_one(belongings):
    visitor = signed_in(None)
    problems = []
    for name, capability in CAPABILITY.items():
        genuine = capability.kwargs(belongings)
        secret = capability.shows(belongings) if capability.shows else None
        for kwargs in forged_links(name, capability, belongings):
            with undone():
                before = capability.effect(belongings) if capability.effect else None
                for method in ("get", "post"):
                    if getattr(capability, method) is None:
                        continue
                    data = capability.post(belongings) if method == "post" else None
                    response = request(visitor, method, name, kwargs, data)
                    if response.status_code != capability.refused:
                        problems.append(
                            f"{method.upper()} {name} forged {kwargs}: {response.status_code}"
                        )
                    if secret and secret in response.body:
                        problems.append(f"{method.upper()} {name} forged {kwargs} shows alice's")
                    if capability.effect and capability.effect(belongings) != before:
                        problems.append(f"{method.upper()} {name} forged {kwargs} changed it")
        with undone():
            if capability.get is not None:
                response = request(visitor, "get", name, genuine)
                if response.status_code != capability.get:
                    problems.append(f"GET {name} genuine: {response.status_code}")
                if secret and secret not in response.body:
                    problems.append(f"GET {name} genuine does not show alice's {secret!r}")
            if capability.post is not None:
                before = capability.effect(belongings)
                response = request(visitor, "post", name, genuine, capability.post(belongings))
                if response.status_code != capability.posted:
                    problems.append(f"POST {name} genuine: {response.status_code}")
                if capability.effect(belongings) == before:
                    problems.append(f"POST {name} genuine changed nothing")
    assert not problems, "\n".join(problems)


# --- Staff only ---------------------------------------------------------------------


@pytest.fixture
def staff_clients(belongings, settings) -> dict[str, Client]:
    # The admin's two-factor requirement has tests of its own.
    settings.ADMIN_REQUIRE_MFA = False
    return {
        "anonymous": signed_in(None),
        "job seeker": signed_in(belongings.bob),
        "assigned writer": signed_in(belongings.resume_delivered.writer),
        **{
            role: signed_in(staff_member(role, email=f"{role.lower().replace(' ', '.')}@cp.test"))
            for role in (SUPPORT, RESUME_WRITER, MARKETING, PRIVACY_OFFICER)
        },
    }


def refused(response) -> bool:
    return (
        response.status_code in (403, 404)
        or sent_to_sign_in(response)
        or sent_to_sign_in(response, "admin:login")
    )


def test_staff_only_urls_are_refused_to_everyone_without_the_permission(belongings, staff_clients):
    problems = []
    for name, staff_only in STAFF_ONLY.items():
        kwargs = staff_only.kwargs(belongings)
        for persona in STAFF_PERSONAS:
            logged_before = StaffAccess.objects.count()
            response = request(staff_clients[persona], staff_only.method, name, kwargs)
            if persona in staff_only.allowed:
                if response.status_code != staff_only.succeeds:
                    problems.append(f"GET {name} as {persona}: {response.status_code}")
                if staff_only.logged and StaffAccess.objects.count() != logged_before + 1:
                    problems.append(f"GET {name} as {persona} was not logged")
            else:
                if not refused(response):
                    problems.append(f"GET {name} as {persona}: {response.status_code}")
                if StaffAccess.objects.count() != logged_before:
                    problems.append(f"GET {name} as {persona} logged a look")
    assert not problems, "\n".join(problems)


# --- URLs without arguments ------------------------------------------------------------


def alices_marks(b: Belongings) -> list[str]:
    """What would show that a page holds something of alice's."""
    return [
        b.alice.email,
        b.alice.name,
        b.order.reference,
        b.guest_order.reference,
        b.feedback.body,
        b.other_session.user_agent,
        b.authorization.recipient_email,
        *(
            str(thing.public_id)
            for thing in (
                b.data_export,
                b.sitting_in_progress,
                b.sitting_scored,
                b.resume_open,
                b.resume_delivered,
            )
        ),
    ]


def test_signed_in_pages_show_another_person_nothing_of_alices(belongings):
    alice, bob = signed_in(belongings.alice), signed_in(belongings.bob)
    marks = alices_marks(belongings)
    problems = []
    for name in sorted(SIGNED_IN_ONLY):
        with undone():
            response = bob.get(reverse(name), follow=True)
            html = response.content.decode()
            problems.extend(f"{name} shows bob {mark!r}" for mark in marks if mark in html)
    assert not problems, "\n".join(problems)
    # The same lists do show alice hers, so the marks would be seen.
    mine = alice.get(reverse("orders:list")).content.decode()
    assert belongings.order.reference in mine
    mine = alice.get(reverse("assessments:index")).content.decode()
    assert str(belongings.sitting_in_progress.public_id) in mine


def test_signed_in_pages_send_a_visitor_to_sign_in(db):
    visitor = signed_in(None)
    problems = []
    for name in sorted(SIGNED_IN_ONLY):
        response = visitor.get(reverse(name))
        if not sent_to_sign_in(response):
            problems.append(f"GET {name} as a visitor: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_open_pages_answer_a_visitor_without_asking_to_sign_in(db):
    visitor = signed_in(None)
    answers = {name: visitor.get(reverse(name)) for name in OPEN}

    assert {name: response.status_code for name, response in answers.items()} == OPEN
    assert [name for name, response in answers.items() if sent_to_sign_in(response)] == [
        "account_confirm_login_code",
        "mfa_authenticate",
    ]
