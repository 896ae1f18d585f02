"""A guest order's private link works for ORDER_LINK_DAYS days; after that, or when the
e-mail is lost, the buyer has a new one sent to the order's address. The pages that
ask never show the order, nor say whether an address has any."""

import re
import time
import uuid
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.models import Order, OrderEvent, Payment
from orders.selectors import order_access_token
from orders.services import order_cancel, order_receipt_queue, order_refund
from orders.tests.factories import placed_order, sandbox_paid

LINK = re.compile(r"http://\S+(/orders/link/\S+/)")


def later(days: float):
    """Signing as if this many days had passed (links carry the time they were made)."""
    return mock.patch("django.core.signing.time.time", return_value=time.time() + days * 86400)


def unvarying(html: bytes) -> bytes:
    """A page without what differs on every response (CSP nonce, CSRF token)."""
    return re.sub(rb'(nonce|value)="[^"]*"', b"", html)


@pytest.fixture
def guest_order(db, settings):
    settings.ORDER_LINK_DAYS = 30
    return placed_order(email="gina@example.com", name="Gina Guest", phone="555 0100")


@pytest.fixture
def link(guest_order):
    return reverse("orders:link", args=[order_access_token(guest_order)])


@pytest.fixture
def no_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = False


def sent_links(mailoutbox, to: str) -> list[str]:
    return [
        path
        for message in mailoutbox
        if [address.lower() for address in message.to] == [to]
        for path in LINK.findall(message.body)
    ]


def test_a_link_shows_its_order_until_it_is_too_old(client, guest_order, link):
    with later(29.9):
        assert b"Gina Guest" in client.get(link).content

    with later(30.1):
        response = client.get(link)

    assert response.status_code == 410
    # The page names its own address (the cookie banner returns to it), and that holds
    # the order's id, whose first digits the reference is.
    html = response.content.decode().replace(link, "")
    assert "This order link has expired" in html
    for detail in ("Gina Guest", "gina@example.com", "555 0100", guest_order.reference):
        assert detail not in html


def test_an_expired_link_cannot_pay_or_cancel(client, guest_order):
    token = order_access_token(guest_order)

    with later(31):
        for name in ("orders:link_pay", "orders:link_cancel"):
            response = client.post(reverse(name, args=[token]))
            assert response.status_code == 302
            assert response.url == reverse("orders:link", args=[token])

    guest_order.refresh_from_db()
    assert guest_order.status == Order.Status.PENDING
    assert not Payment.objects.filter(order=guest_order).exists()


def test_a_payment_page_expires_with_the_orders_link(client, guest_order):
    pay_page = client.post(reverse("orders:link_pay", args=[order_access_token(guest_order)])).url

    with later(29.9):
        assert guest_order.reference in client.get(pay_page).content.decode()
    with later(30.1):
        shown = client.get(pay_page)
        chosen = client.post(pay_page, {"outcome": "cancel"})

    for response in (shown, chosen):
        assert response.status_code == 410
        html = response.content.decode()
        assert "This payment page has expired" in html
        assert guest_order.reference not in html
        assert "/orders/link/" not in html
    assert Payment.objects.get().status == Payment.Status.STARTED


def test_an_expired_link_sends_a_new_one_to_the_orders_address(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks
):
    token = order_access_token(guest_order)

    with later(40), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:link_renew", args=[token]))

    assert response.url == reverse("orders:links_sent")
    [fresh] = sent_links(mailoutbox, "gina@example.com")
    assert fresh != reverse("orders:link", args=[token])
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    with later(40):
        assert b"Gina Guest" in client.get(fresh).content
    with later(71):
        assert client.get(fresh).status_code == 410


def test_the_receipt_says_how_long_its_link_works(guest_order, settings):
    settings.ORDER_LINK_DAYS = 12

    message = order_receipt_queue(order=guest_order)

    assert "It works for\n12 days" in message.text
    assert "It works for 12 days" in message.html


def test_a_tampered_or_unknown_link_is_404_whatever_its_age(client, guest_order, link):
    with later(40):
        assert client.get(link[:-3] + "xx/").status_code == 404
        assert client.post(link[:-3] + "xx/renew/").status_code == 404
    no_such_order = Order(public_id=uuid.uuid4())
    assert (
        client.get(reverse("orders:link", args=[order_access_token(no_such_order)])).status_code
        == 404
    )


def test_a_link_made_before_links_expired_is_refused(client, guest_order):
    from django.core import signing

    from orders.selectors import ORDER_LINK_SALT

    untimed = signing.Signer(salt=ORDER_LINK_SALT).sign(guest_order.public_id.hex)

    assert client.get(reverse("orders:link", args=[untimed])).status_code == 404


def test_find_an_order_sends_links_to_every_guest_order_of_the_address(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks, no_rate_limits
):
    second = placed_order(email="GINA@example.com")
    placed_order(email="someone.else@example.com")
    placed_order(user=UserFactory(email="gina.account@example.com"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:find"), {"email": " Gina@Example.com "})

    assert response.url == reverse("orders:links_sent")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert guest_order.reference in body and second.reference in body
    sent = sent_links(mailoutbox, "gina@example.com")
    assert len(sent) == 2
    assert all(client.get(path).status_code == 200 for path in sent)


def test_find_an_order_answers_the_same_for_an_address_with_no_orders(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks, no_rate_limits
):
    answers = []
    for address in ("gina@example.com", "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("orders:find"), {"email": address}, follow=True)
        answers.append(response.content)

    assert unvarying(answers[0]) == unvarying(answers[1])
    assert [message.to for message in mailoutbox] == [["gina@example.com"]]


def test_find_an_order_takes_the_same_steps_whether_or_not_the_address_has_orders(
    client, guest_order, no_rate_limits
):
    """The lookup is the task's: the request's own work cannot tell the two apart."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.tasks import order_links_send

    steps = []
    with mock.patch.object(order_links_send, "apply_async") as queued:
        for address in ("gina@example.com", "nobody@example.com"):
            with CaptureQueriesContext(connection) as queries:
                client.post(reverse("orders:find"), {"email": address})
            steps.append([query["sql"] for query in queries.captured_queries])

    assert steps[0] == steps[1]
    assert not any("orders_order" in sql for sql in steps[0])
    assert [call.kwargs["args"][0] for call in queued.call_args_list] == [
        "gina@example.com",
        "nobody@example.com",
    ]
    # Logs and task events are not given the address.
    assert all("@" not in call.kwargs["argsrepr"] for call in queued.call_args_list)


def test_a_find_an_order_task_delivered_twice_sends_one_mail(
    guest_order, mailoutbox, django_capture_on_commit_callbacks
):
    """A worker killed after the mail was stored delivers the task again."""
    from orders.tasks import order_links_send

    requested_at = timezone.now().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        order_links_send("gina@example.com", requested_at)
        order_links_send("gina@example.com", requested_at)
    with django_capture_on_commit_callbacks(execute=True):
        # A new request, after that mail: it gets a mail of its own.
        order_links_send("gina@example.com", timezone.now().isoformat())

    assert [message.to for message in mailoutbox] == [["gina@example.com"]] * 2


def test_find_an_order_looks_up_in_the_request_when_the_broker_is_down(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks, no_rate_limits
):
    from kombu.exceptions import OperationalError

    from orders.tasks import order_links_send

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(order_links_send, "apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("orders:find"), {"email": "gina@example.com"})

    assert response.url == reverse("orders:links_sent")
    assert [message.to for message in mailoutbox] == [["gina@example.com"]]
    assert len(sent_links(mailoutbox, "gina@example.com")) == 1


def test_find_an_order_says_what_is_wrong_with_the_address(client, db, no_rate_limits):
    response = client.post(reverse("orders:find"), {"email": "not an address"})

    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert b'value="not an address"' in response.content


def test_an_account_holders_or_erased_orders_get_no_links(
    client, db, mailoutbox, django_capture_on_commit_callbacks, no_rate_limits
):
    placed_order(user=UserFactory(email="ada@example.com"))
    erased = placed_order(email="ed@example.com")
    Order.objects.filter(pk=erased.pk).update(email="", name="")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:find"), {"email": "ada@example.com"})
    assert mailoutbox == []
    assert client.get(reverse("orders:link", args=[order_access_token(erased)])).status_code == 404


def test_find_an_order_sends_an_address_only_so_many_mails_and_says_nothing(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "order_links": "100/h/ip",
        "order_links_address": "2/h/key",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(reverse("orders:find"), {"email": address}).url
            for address in ("gina@example.com", "GINA@example.com", "gina@example.com")
        ]

    assert answers == [reverse("orders:links_sent")] * 3
    assert len(mailoutbox) == 2


def test_find_an_order_is_rate_limited_per_sender(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "order_links": "2/h/ip"}

    statuses = [
        client.post(reverse("orders:find"), {"email": f"p{n}@example.com"}).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_no_one_else_can_use_up_a_guests_renewals(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "order_links": "100/h/ip",
        "order_links_address": "1/h/key",
        "order_link_renew": "100/h/ip,2/h/key",
    }
    token = order_access_token(guest_order)
    with later(40), django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # someone else asking for the guest's address
            client.post(reverse("orders:find"), {"email": "gina@example.com"})
        renewals = [
            client.post(reverse("orders:link_renew", args=[token])).status_code for _ in range(3)
        ]

    assert renewals == [302, 302, 429]
    assert len(mailoutbox) == 3


def test_a_link_to_an_order_now_in_an_account_sends_its_holder_to_sign_in(
    client, guest_order, link
):
    owner = UserFactory(email="gina@example.com")
    Order.objects.filter(pk=guest_order.pk).update(user=owner)

    response = client.get(link)

    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[guest_order.public_id])
    assert client.get(response.url).url.startswith(reverse("account_login"))
    client.force_login(owner)
    assert b"Gina Guest" in client.get(response.url).content
    client.force_login(UserFactory())
    assert client.get(response.url).status_code == 404


def test_the_page_says_where_its_link_can_be_found_again(client, guest_order, link):
    unpaid = client.get(link).content.decode()
    sandbox_paid(guest_order)
    paid = client.get(link).content.decode()

    assert "bookmark it" in unpaid and "in your receipt" not in unpaid
    assert "in your receipt" in paid and "bookmark it" not in paid
    assert reverse("orders:find") in unpaid


def test_a_cancelled_orders_page_says_nothing_was_charged_and_offers_nothing_more(
    client, guest_order, link
):
    order_cancel(order=guest_order, source=OrderEvent.Source.BUYER, reason="Not now")

    html = client.get(link).content.decode()

    assert "This order is cancelled. Nothing was charged." in html
    assert "Once paid" not in html
    assert "Keep this order in an account" not in html and "bookmark it" not in html


def test_a_refunded_orders_page_says_the_money_goes_back_and_offers_nothing_more(
    client, guest_order, link
):
    sandbox_paid(guest_order)
    order_refund(order=guest_order, source=OrderEvent.Source.STAFF, reason="Asked for")

    html = client.get(link).content.decode()

    assert "This order is refunded: the $99.00 you paid goes back the way you paid it" in html
    assert "what it unlocked is withdrawn" in html
    assert "Keep this order in an account" not in html


def test_a_links_order_page_is_never_stored(client, link):
    # It shows the buyer's name and address to whoever has the link, signed in or not.
    response = client.get(link)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
