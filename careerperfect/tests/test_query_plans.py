"""Pages read one person's rows through indexes, never a whole table.

Counting queries (bench/page_queries.py) cannot see a query that stays one query but
reads every row: with many people on file, PostgreSQL's plan for each query of every
page a signed-in person reaches must not scan any of the tables that grow with them.
"""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from assessments.models import Instrument, Sitting
from assessments.tests.factories import owner_with_software, sitting_scored
from careerperfect.testing import site_crawl
from consent.models import ConsentEvent, Election, Subject, email_digest
from consent.purposes import Purpose, Source
from consent.services import consent_grant
from feedback.models import Feedback
from orders.models import Entitlement, Order, OrderLine, Payment
from orders.tests.factories import ProductFactory, placed_order
from resumes.models import ResumeWorkspace
from resumes.tests.factories import workspace_open

PEOPLE = 5000
# Tables with a row (or more) per person on file.
GROWING = (
    "accounts_user",
    "account_emailaddress",
    "consent_subject",
    "consent_consentevent",
    "consent_election",
    "orders_order",
    "orders_orderline",
    "orders_payment",
    "orders_entitlement",
    "resumes_resumeworkspace",
    "assessments_sitting",
    "feedback_feedback",
    "django_session",
    "usersessions_usersession",
)


def _many_other_people():
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"other{n}@example.com", name="Someone") for n in range(PEOPLE)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    subjects = Subject.objects.bulk_create(
        Subject(
            email=f"other{n}@example.com",
            email_digest=email_digest(f"other{n}@example.com"),
            user=user if n % 2 else None,
        )
        for n, user in enumerate(users)
    )
    events = ConsentEvent.objects.bulk_create(
        ConsentEvent(
            subject=subject,
            purpose=Purpose.MARKETING,
            granted=True,
            source=Source.SIGNUP,
            occurred_at=now,
        )
        for subject in subjects
    )
    Election.objects.bulk_create(
        Election(
            subject=event.subject,
            purpose=event.purpose,
            granted=True,
            occurred_at=now,
            event=event,
        )
        for event in events
    )
    # An order of each person, and as many placed by guests, each of one line.
    orders = Order.objects.bulk_create(
        Order(user=user if n % 2 else None, email=user.email, name="Someone")
        for n, user in enumerate(users * 2)
    )
    product = ProductFactory()
    lines = OrderLine.objects.bulk_create(
        OrderLine(order=order, product=product, product_name=product.name, unit_price_minor=100)
        for order in orders
    )
    Payment.objects.bulk_create(
        Payment(
            order=order,
            provider=Payment.Provider.SANDBOX,
            reference=f"pay{order.pk}",
            amount_minor=100,
        )
        for order in orders
    )
    # What the people's orders unlocked, and the resume work and assessments under way.
    entitlements = Entitlement.objects.bulk_create(
        Entitlement(order_line=line, user=line.order.user, kind=kind, product=product)
        for line in lines
        if line.order.user
        for kind in (Entitlement.Kind.RESUME_WRITING, Entitlement.Kind.ASSESSMENTS)
    )
    ResumeWorkspace.objects.bulk_create(
        ResumeWorkspace(entitlement=entitlement, owner=entitlement.user)
        for entitlement in entitlements
        if entitlement.kind == Entitlement.Kind.RESUME_WRITING
    )
    instrument = Instrument.objects.filter(active=True).first()
    Sitting.objects.bulk_create(Sitting(user=user, instrument=instrument) for user in users)
    Feedback.objects.bulk_create(
        Feedback(body="Helpful.", email=f"guest{n}@example.com") for n in range(PEOPLE)
    )
    # A live session of each person, and as many of visitors with something in a cart.
    sessions = Session.objects.bulk_create(
        Session(session_key=f"session{n:06d}", session_data="", expire_date=now + timedelta(days=1))
        for n in range(2 * PEOPLE)
    )
    UserSession.objects.bulk_create(
        UserSession(user=user, ip="192.0.2.1", session_key=session.session_key, user_agent="Bench")
        for user, session in zip(users, sessions, strict=False)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Statements with no plan to look at.
UNPLANNED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def _whole_reads(node: dict, under_limit: bool = False):
    """Tables a plan reads whole: a sequential scan, or an index scan with no condition
    (all of the index) that no LIMIT stops early."""
    kind, table = node["Node Type"], node.get("Relation Name")
    full_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
    if kind == "Seq Scan" or (full_index and not under_limit):
        yield table
    for child in node.get("Plans", []):
        yield from _whole_reads(child, under_limit or kind == "Limit")


def _tables_scanned(sql: str) -> list[str]:
    """The tables that grow with people which PostgreSQL would read whole for this
    query, as it plans it with the data there is."""
    if sql.startswith(UNPLANNED):
        return []
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]["Plan"]
    return sorted(set(_whole_reads(plan)) & set(GROWING))


def _whole_table_reads(queries: CaptureQueriesContext) -> dict[str, list[str]]:
    """{query (its start): growing tables it reads whole} for the captured queries."""
    return {
        query["sql"][:160]: tables
        for query in queries.captured_queries
        if (tables := _tables_scanned(query["sql"]))
    }


@pytest.mark.postgres
def test_no_page_a_person_reaches_reads_a_growing_table_whole(client, db):
    person = owner_with_software(email="ada@example.com")
    consent_grant(user=person, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    # An address of theirs merged into the account, and an order.
    consent_grant(email="ada.old@example.com", purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    Subject.objects.filter(email="ada.old@example.com").update(
        merged_into=Subject.objects.get(user=person)
    )
    placed_order(user=person)
    # Resume work and an assessment of theirs, so that their pages read those too.
    workspace_open(owner=person)
    sitting_scored(person)
    _many_other_people()
    client.force_login(person)
    pages = [
        url
        for url, response in site_crawl(client, start=("/", reverse("accounts:privacy"))).items()
        if response.status_code == 200 and "text/html" in response.get("Content-Type", "")
    ]

    scans = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        scans |= {(url, sql): tables for sql, tables in _whole_table_reads(queries).items()}

    assert reverse("accounts:privacy") in pages and reverse("orders:list") in pages
    assert scans == {}


@pytest.mark.postgres
def test_finding_a_person_by_address_ignoring_case_uses_an_index(db):
    from feedback import personal_data as feedback_data
    from orders.selectors import guest_orders_for_address
    from orders.services import orders_attach_to_user
    from privacy.selectors import person_on_record

    person = UserFactory(email="ada@example.com")
    placed_order(email="Ada@Example.com")
    Feedback.objects.create(body="Thanks.", email="ADA@example.com")
    _many_other_people()
    lookups = {
        "find an order": lambda: guest_orders_for_address(email="ada@EXAMPLE.com"),
        "person on record": lambda: person_on_record(email="Ada@example.com"),
        "feedback in a data export": lambda: feedback_data.export(person)["feedback"],
        "guest orders joining a new account": lambda: orders_attach_to_user(user=person),
    }

    found, scans = {}, {}
    for name, lookup in lookups.items():
        with CaptureQueriesContext(connection) as queries:
            found[name] = lookup()
        scans |= {(name, sql): tables for sql, tables in _whole_table_reads(queries).items()}

    assert [len(found[name]) for name in ("find an order", "feedback in a data export")] == [1, 1]
    assert found["person on record"] is True
    assert found["guest orders joining a new account"] == 1
    assert scans == {}


@pytest.mark.postgres
def test_signing_up_and_a_remove_request_read_no_growing_table_whole(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from mail.models import InboundMessage
    from mail.services import inbound_message_process
    from mail.tests.factories import raw_email

    placed_order(email="gina@example.com")
    _many_other_people()

    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("account_signup"),
                {
                    "email": "Gina@example.com",
                    "password1": "a-long-enough-passphrase-42",
                    "name": "Gina",
                    "age_confirmed": "on",
                    "marketing": "on",
                },
            )
        link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[-1].body)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(link.group(1))
        with django_capture_on_commit_callbacks(execute=True):
            removal = inbound_message_process(
                raw=raw_email(sender="gina@example.com"), source=InboundMessage.Source.FILE
            )

    assert Order.objects.filter(user__email="gina@example.com").count() == 1
    assert removal.outcome == InboundMessage.Outcome.OPTED_OUT
    assert _whole_table_reads(queries) == {}


@pytest.mark.postgres
def test_a_data_download_and_an_erasure_read_no_growing_table_whole(
    db, django_capture_on_commit_callbacks
):
    from accounts.models import DataExport
    from accounts.services import account_erase, data_export_build, data_export_request

    person = owner_with_software(email="ada@example.com")
    consent_grant(user=person, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    placed_order(user=person)
    workspace_open(owner=person)
    sitting_scored(person)
    Feedback.objects.create(body="Thanks.", email="ADA@example.com")
    _many_other_people()
    export = data_export_request(user=person)

    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            data_export_build(export_id=export.pk)
        built = DataExport.objects.get(pk=export.pk).status
        with django_capture_on_commit_callbacks(execute=True):
            account_erase(user=person)

    assert built == DataExport.Status.READY
    assert not User.objects.filter(email="ada@example.com").exists()
    assert _whole_table_reads(queries) == {}


@pytest.mark.postgres
def test_a_query_a_connection_runs_often_is_planned_once(client, db):
    """My privacy's reads become prepared statements of the pooled connection, so that
    PostgreSQL stops planning them on every view (DATABASE_PREPARED_STATEMENTS)."""
    person = UserFactory(email="ada@example.com")
    consent_grant(user=person, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    client.force_login(person)

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [statement for (statement,) in cursor.fetchall()]

    assert not any(ConsentEvent._meta.db_table in sql for sql in prepared())
    for _ in range(6):
        assert client.get(reverse("accounts:privacy")).status_code == 200

    assert any(ConsentEvent._meta.db_table in sql for sql in prepared())
