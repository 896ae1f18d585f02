"""Every form a visitor or a signed-in job seeker can send, sent with arbitrary values:
the site answers each with a page, a redirect or a 4xx, never a server error.

The forms are found, not listed: the site is crawled as a visitor and as alice (who owns
one of everything), and each POST form on the pages is parsed for its fields, so a new
form or field is fuzzed without anyone adding it here. For each submission hypothesis
gives every field a value of its kind (one the page offers, an e-mail address, a
number…), then spoils some of them: text with any Unicode and control characters, very
long text, numbers and other wrong types, several values at once, or the field left
out; and adds fields the form does not have. Every submission is rolled back, so each
starts from the same state.

Runs are derandomized (the same examples each time, so CI is stable); set
FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 to search further, on PostgreSQL too (it refuses what
SQLite stores: over-long values, NUL characters).
"""

import copy
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.tests.factories import PASSWORD
from assessments.selectors import sitting_page_count
from careerperfect.testing import site_crawl
from careerperfect.tests.belongings import belongings_create, private_storage_in
from orders.models import Product
from orders.tests.factories import ProductFactory
from resumes.tests.factories import docx_bytes, odt_bytes, pdf_bytes

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The forms the crawl must find (by the URL they post to): fewer means the crawl lost
# its way, and the forms it missed would go untested.
EXPECTED_FORMS = {
    "visitor": {
        "account_signup",
        "account_login",
        "account_reset_password",
        "account_reset_password_from_key",
        "account_confirm_email",
        "privacy:cookie_choices",
        "feedback:new",
        "feedback:withdraw_by_link",
        "contests:detail",
        "orders:cart_add",
        "orders:cart_remove",
        "orders:checkout",
        "orders:link_pay",
        "orders:link_cancel",
        "orders:sandbox_pay",
        "orders:find",
    },
    "job seeker": {
        "account_logout",
        "account_email",
        "account_change_password",
        "account_reauthenticate",
        "accounts:privacy",
        "accounts:profile",
        "accounts:profile_delete",
        "accounts:data_export_new",
        "accounts:session_end",
        "accounts:sessions_end_others",
        "accounts:delete",
        "privacy:cookie_choices",
        "feedback:new",
        "feedback:withdraw",
        "contests:detail",
        "orders:cart_add",
        "orders:checkout",
        "orders:pay",
        "orders:cancel",
        "orders:find",
        "assessments:start",
        "assessments:page",
        "assessments:retry",
        "resumes:questionnaire",
        "resumes:upload",
        "resumes:file_delete",
        "resumes:review",
        "resumes:share",
        "resumes:share_again",
        "resumes:share_revoke",
    },
}


# --- Reading the forms of a page -------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, email, number, password, hidden, choice, file
    offered: list[str] = field(default_factory=list)  # values the page itself offers


@dataclass
class Form:
    page: str
    action: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def view(self) -> str:
        return resolve(urlsplit(self.action).path).view_name

    def __str__(self) -> str:
        return f"the form on {self.page} posting to {self.action} ({', '.join(self.fields)})"


INPUT_KINDS = {
    "email": "email",
    "number": "number",
    "password": "password",
    "file": "file",
    "hidden": "hidden",
}


class FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None

    def add(self, name: str | None, kind: str, value: str | None = None) -> Field | None:
        if self.current is None or not name or name == "csrfmiddlewaretoken":
            return None
        found = self.current.fields.setdefault(name, Field(name, kind))
        if value is not None and value not in found.offered:
            found.offered.append(value)
        return found

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.current = Form(
                    page=self.page,
                    action=urljoin(self.page, attrs.get("action") or self.page),
                    multipart=attrs.get("enctype") == "multipart/form-data",
                )
                self.forms.append(self.current)
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.add(attrs.get("name"), "choice", attrs.get("value") or "on")
            elif kind not in ("reset", "image"):
                field_kind = INPUT_KINDS.get(kind, "text")
                self.add(attrs.get("name"), field_kind, attrs.get("value"))
        elif tag == "button":
            if (attrs.get("type") or "submit").lower() == "submit":
                self.add(attrs.get("name"), "choice", attrs.get("value", ""))
        elif tag == "textarea":
            self.add(attrs.get("name"), "text")
        elif tag == "select":
            self.select = self.add(attrs.get("name"), "choice")
        elif tag == "option" and self.select is not None:
            self.add(self.select.name, "choice", attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_of(pages: dict) -> list[Form]:
    """The POST forms of the crawled pages, one of each (same target, same fields)."""
    found: dict[tuple, Form] = {}
    for url, response in pages.items():
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            if urlsplit(form.action).netloc not in ("", "testserver"):
                continue
            try:
                key = (form.view, tuple(sorted(form.fields)))
            except Resolver404:
                continue
            found.setdefault(key, form)
    return list(found.values())


# --- What hypothesis sends ---------------------------------------------------------------

# Any Unicode text (control characters included, surrogates excluded: they cannot be
# encoded in a request).
any_text = st.text(st.characters(codec="utf-8"), max_size=80)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "é", "\x00", "\u202e", "\U0001d518", " ", "<script>", "%00", "\r\n"]),
    st.integers(2_000, 60_000),
)
wrong_types = st.one_of(
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "0",
            "1e309",
            "NaN",
            "99999999999999999999999999",
            "true",
            "null",
            "[]",
            "{}",
            "on",
            "../../etc/passwd",
            "//evil.example/",
            "javascript:alert(1)",
            "\\\\evil.example",
            "http://[::1",
            "a@b",
            "@",
            "x" * 255 + "@example.com",
        ]
    ),
)
documents = st.one_of(
    st.binary(max_size=3_000),
    st.sampled_from([pdf_bytes(), docx_bytes(), odt_bytes(), b"", b"%PDF-1.4\n\x00\xff"]),
)
uploads = st.builds(
    SimpleUploadedFile,
    name=st.one_of(
        st.sampled_from(["cv.pdf", "cv.docx", "cv.odt", "cv.txt", "cv", ".pdf", "cv.exe"]),
        st.text(st.characters(codec="utf-8", exclude_characters='\r\n"\\/'), max_size=30).map(
            lambda stem: stem + ".pdf"
        ),
    ),
    content=documents,
    content_type=st.sampled_from(
        ["application/pdf", "text/plain", "application/octet-stream", "image/png", ""]
    ),
)


# Edge cases of a kind: addresses at and past the 254 characters a model stores...
edge_emails = st.sampled_from(
    [
        "a@b.co",
        "x" * 64 + "@" + ".".join(["y" * 61] * 3) + ".com",
        "x" * 250 + "@example.com",
        "ALICE@EXAMPLE.COM",
        "alice+tag@example.com",
    ]
)
# ...and what a tampered hidden field (a "next" address, a version, a form count) holds.
tampered_hidden = st.one_of(
    st.integers().map(str),
    st.sampled_from(
        [
            "",
            "0",
            "home",
            "/",
            "//evil.example/",
            "https://evil.example/",
            "x://[",
            "http://[::1",
            "/\x00",
            "/%0d%0aSet-Cookie:x=1",
            "99999999",
            "-1",
        ]
    ),
)


def offered_or_typed(form_field: Field):
    """A value of the kind the field asks for: what the page offers, or a typed one."""
    if form_field.kind == "file":
        return uploads
    typed = {
        "email": st.one_of(st.emails(), edge_emails),
        "number": st.integers(-5, 3_000).map(str),
        "password": st.sampled_from([PASSWORD, "short", "correct-horse-battery-staple-2"]),
        "hidden": tampered_hidden,
    }.get(form_field.kind, any_text)
    if form_field.offered:
        return st.one_of(st.sampled_from(form_field.offered), typed)
    return typed


def spoilt_values(form_field: Field):
    """Anything but what the field asks for; None leaves the field out."""
    several = st.lists(st.one_of(offered_or_typed(form_field), any_text), min_size=2, max_size=4)
    return st.one_of(st.none(), any_text, huge_text, wrong_types, several)


extra_fields = st.dictionaries(
    st.text(st.characters(codec="utf-8", exclude_characters='\r\n"'), min_size=1, max_size=20),
    st.one_of(any_text, wrong_types),
    max_size=3,
)


def submissions(form: Form):
    """One submission of the form, and whether it is sent URL-encoded.

    Each field gets a value of its kind, except for a drawn set of fields that get
    spoilt ones: the rest of the form being right is what lets a bad value reach the
    code behind the form's first checks. (Shrinking empties the set: a failure is
    reported with the fewest spoilt fields that cause it.)
    """
    names = sorted(form.fields)
    good = st.fixed_dictionaries({name: offered_or_typed(form.fields[name]) for name in names})
    bad = st.fixed_dictionaries({name: spoilt_values(form.fields[name]) for name in names})
    spoilt = st.sets(st.sampled_from(names)) if names else st.just(set())

    def combined(drawn):
        good_values, bad_values, spoilt_names, extra, urlencoded = drawn
        data = dict(extra)
        for name in names:
            value = bad_values[name] if name in spoilt_names else good_values[name]
            if value is not None:
                data[name] = value
        return data, urlencoded

    return st.tuples(good, bad, spoilt, extra_fields, st.booleans()).map(combined)


# --- Sending --------------------------------------------------------------------------


@contextmanager
def undone():
    """Whatever a submission changes in the database is rolled back after it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def has_file(data: dict) -> bool:
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return any(isinstance(value, SimpleUploadedFile) for value in values)


def send(client: Client, form: Form, data: dict, urlencoded: bool):
    if urlencoded and not form.multipart and not has_file(data):
        return client.post(
            form.action,
            urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded",
        )
    return client.post(form.action, data)


def fuzz(client: Client, form: Form) -> None:
    @FUZZ_SETTINGS
    @given(submission=submissions(form))
    def never_a_server_error(submission):
        data, urlencoded = submission
        # Signing out, ending a session or deleting the account changes the client's
        # cookies; the rollback brings the session back, and this the cookies.
        cookies = copy.deepcopy(client.cookies)
        try:
            with undone():
                response = send(client, form, data, urlencoded)
                if response.streaming:
                    b"".join(response.streaming_content)
        except Exception as error:
            # The test client raises what the view raised: a server error.
            raise AssertionError(f"server error from {form}") from error
        finally:
            client.cookies = cookies
        assert response.status_code < 500, f"{response.status_code} from {form}"

    never_a_server_error()


# --- The people and the pages --------------------------------------------------------------


@pytest.fixture
def site(db, settings, tmp_path):
    private_storage_in(settings, tmp_path / "private")
    # Rate limits would soon answer every submission with 429 and test nothing more.
    settings.ACCOUNT_RATE_LIMITS = False
    belongings = belongings_create()
    # A product that asks for everything checkout can ask (phone and postal address).
    ProductFactory(
        kind=Product.Kind.RESUME_PACKAGE,
        slug="executive",
        phone_reason="Your writer calls you.",
        postal_address_reason="We post your printed copies.",
    )
    return belongings


def with_a_full_cart(client: Client) -> Client:
    for product in Product.objects.all():
        data = {"computer_type": "windows"} if product.kind == Product.Kind.SOFTWARE else {}
        client.post(reverse("orders:cart_add", args=[product.slug]), data)
    return client


def visitor_pages(b) -> tuple[Client, dict]:
    client = with_a_full_cart(Client())
    start = [
        "/",
        reverse("orders:checkout"),
        reverse("orders:link", args=[b.order_link_token]),
        reverse("orders:sandbox_pay", args=[b.sandbox_token]),
        reverse("feedback:withdraw_by_link", args=[b.feedback_withdraw_token]),
        reverse("account_confirm_email", args=[b.email_confirmation_key]),
        reverse("account_reset_password_from_key", kwargs=b.password_reset),
    ]
    return client, site_crawl(client, start=start)


def job_seeker_pages(b) -> tuple[Client, dict]:
    client = Client()
    client.post(reverse("account_login"), {"login": b.alice.email, "password": PASSWORD})
    # Having just confirmed her password, "delete my account" shows her its form.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with_a_full_cart(client)
    last_page = sitting_page_count(
        sitting=b.sitting_in_progress, total=b.sitting_in_progress.instrument.items.count()
    )
    start = [
        "/",
        reverse("accounts:privacy"),
        reverse("accounts:delete"),
        reverse("orders:checkout"),
        reverse("assessments:page", args=[b.sitting_in_progress.public_id, last_page]),
        reverse("resumes:workspace", args=[b.resume_with_draft.public_id]),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("account_reauthenticate"),
    ]
    return client, site_crawl(client, start=start)


@pytest.mark.parametrize("persona", ["visitor", "job seeker"])
def test_no_form_answers_arbitrary_input_with_a_server_error(site, persona):
    client, pages = (visitor_pages if persona == "visitor" else job_seeker_pages)(site)
    forms = forms_of(pages)

    missing = EXPECTED_FORMS[persona] - {form.view for form in forms}
    assert not missing, f"the crawl found no form posting to {sorted(missing)}"
    for form in forms:
        fuzz(client, form)
