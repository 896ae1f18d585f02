"""The sandbox provider: a page of our own that asks for no card and lets the buyer
choose success, failure or cancel; and the receipt a payment sends."""

import re

import pytest
from django.urls import resolve, reverse

from consent.purposes import Purpose, Source
from consent.services import consent_withdraw
from mail.models import OutboundMessage
from orders.models import Order, Payment
from orders.selectors import order_access_path, order_access_token, order_link_resolve
from orders.tests.factories import ProductFactory, placed_order

CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def at_payment_page(client, resume, software):
    client.post(reverse("orders:cart_add", args=[resume.slug]))
    client.post(reverse("orders:cart_add", args=[software.slug]), {"computer_type": "mac"})
    response = client.post(
        CHECKOUT, {"name": "Gina Guest", "email": "gina@example.com", "age_confirmed": "on"}
    )
    return response.url


def choose(client, url, outcome, **kwargs):
    return client.post(url, {"outcome": outcome}, **kwargs)


def test_the_sandbox_page_asks_for_no_card_details(client, at_payment_page):
    html = client.get(at_payment_page).content.decode()

    assert "no card details are asked for" in html
    assert "$148.00" in html
    form = re.search(r'<form method="post" action="/pay/sandbox/.*?</form>', html, re.S).group(0)
    fields = set(re.findall(r'<input[^>]*name="([^"]+)"', form))
    assert fields == {"csrfmiddlewaretoken"}
    assert set(re.findall(r'<button[^>]*value="([^"]+)"', form)) == {"success", "failure", "cancel"}


def test_paying_in_the_sandbox_pays_the_order_and_sends_the_receipt(
    client, at_payment_page, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client, at_payment_page, "success")

    order = Order.objects.get()
    assert order.status == "paid"
    assert response.url.startswith("/orders/link/")
    page = client.get(response.url).content.decode()
    assert "Paid, thank you." in page
    assert "Payment received through Sandbox (no real payment)" in page
    assert "Career assessments" in page
    assert len(mailoutbox) == 1
    receipt = mailoutbox[0]
    assert receipt.to == ["gina@example.com"]
    assert f"order {order.reference}" in receipt.subject
    assert "Total paid: $148.00" in receipt.body
    assert "(for Mac)" in receipt.body
    html = receipt.alternatives[0].content
    assert receipt.alternatives[0].mimetype == "text/html"
    assert "<strong>$148.00</strong>" in html
    # The receipt's link is signed when the mail is written, perhaps a second after the
    # redirect's: the same order's link, not necessarily the same token.
    link = re.search(r"http://127\.0\.0\.1:8000(/orders/link/\S+/)", receipt.body).group(1)
    assert order_link_resolve(token=resolve(link).kwargs["token"]).order == order
    assert "List-Unsubscribe" not in receipt.extra_headers


def test_the_receipt_is_sent_even_to_someone_who_stopped_all_our_mail(
    client, at_payment_page, mailoutbox, django_capture_on_commit_callbacks
):
    for purpose in (Purpose.MARKETING, Purpose.SITE_UPDATES):
        consent_withdraw(email="gina@example.com", purpose=purpose, source=Source.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        choose(client, at_payment_page, "success")

    assert [m.to for m in mailoutbox] == [["gina@example.com"]]
    assert OutboundMessage.objects.get().kind == "transactional"


def test_a_declined_payment_can_be_tried_again(client, at_payment_page):
    response = choose(client, at_payment_page, "failure")

    order = Order.objects.get()
    assert order.status == "payment_failed"
    page = client.get(response.url).content.decode()
    assert "The payment did not go through." in page

    retry = client.post(response.url.split("?")[0] + "pay/")

    order.refresh_from_db()
    assert order.status == "pending"
    assert retry.url.startswith("/pay/sandbox/") and retry.url != at_payment_page
    choose(client, retry.url, "success")
    order.refresh_from_db()
    assert order.status == "paid"
    assert [e.to_status for e in order.events.all()] == [
        "pending",
        "payment_failed",
        "pending",
        "paid",
    ]
    assert list(order.payments.order_by("id").values_list("status", flat=True)) == [
        "failed",
        "succeeded",
    ]


def test_cancelling_at_the_payment_page_leaves_the_order_awaiting_payment(client, at_payment_page):
    response = choose(client, at_payment_page, "cancel")

    order = Order.objects.get()
    assert order.status == "pending"
    assert order.payments.get().status == "cancelled"
    assert response.url.endswith("?payment=cancelled")
    assert "You left the payment page without paying." in client.get(response.url).content.decode()


def test_the_buyer_may_cancel_an_unpaid_order(client, at_payment_page):
    response = choose(client, at_payment_page, "cancel")

    client.post(response.url.split("?")[0] + "cancel/")

    order = Order.objects.get()
    assert order.status == "cancelled"
    assert order.events.last().reason == "Cancelled by the buyer before paying"


def test_a_used_payment_page_does_nothing_more(client, at_payment_page):
    choose(client, at_payment_page, "success")
    choose(client, at_payment_page, "failure")

    assert Order.objects.get().status == "paid"
    assert Payment.objects.get().status == "succeeded"
    assert "This payment attempt is closed" in client.get(at_payment_page).content.decode()


def test_paying_from_a_page_a_newer_attempt_closed_charges_nothing(client, at_payment_page):
    # The first page left open in one tab, Pay clicked on the order in another.
    newer_page = client.post(order_access_path(Order.objects.get()) + "pay/").url

    choose(client, newer_page, "success")
    response = choose(client, at_payment_page, "success", follow=True)

    html = response.content.decode()
    assert "Paid, thank you" in html
    assert "cannot become" not in html
    assert list(Payment.objects.order_by("id").values_list("status", flat=True)) == [
        "cancelled",
        "succeeded",
    ]


def test_a_second_click_on_pay_closes_the_page_the_first_opened(client, at_payment_page):
    order_page = choose(client, at_payment_page, "failure").url.split("?")[0]
    first = client.post(order_page + "pay/").url
    second = client.post(order_page + "pay/").url

    choose(client, first, "success")

    assert Order.objects.get().status == "pending"
    assert "This payment attempt is closed" in client.get(first).content.decode()
    assert (
        Payment.objects.filter(status="started").get().reference in resolve(second).kwargs["token"]
    )


@pytest.mark.django_db
def test_a_tampered_payment_link_is_not_found(client):
    from orders.providers import SandboxProvider

    payment, url = SandboxProvider().start(order=placed_order(), return_url="", cancel_url="")

    assert client.get(url[:-3] + "xyz/").status_code == 404
    assert client.post(url[:-3] + "xyz/", {"outcome": "success"}).status_code == 404
    payment.refresh_from_db()
    assert payment.status == "started"


def test_a_paid_order_cannot_be_paid_again(client, at_payment_page):
    response = choose(client, at_payment_page, "success")

    again = client.post(response.url.split("?")[0] + "pay/", follow=True)

    assert "This order is paid already, so nothing more was charged." in again.content.decode()
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "first, second, told",
    [
        ("cancel/", "cancel/", "This order is cancelled already. Nothing was charged."),
        ("cancel/", "pay/", "This order is cancelled, so it can no longer be paid."),
    ],
)
def test_a_second_click_on_cancel_or_pay_after_cancelling_says_where_the_order_stands(
    client, at_payment_page, first, second, told
):
    order_page = choose(client, at_payment_page, "cancel").url.split("?")[0]
    client.post(order_page + first)

    again = client.post(order_page + second, follow=True)

    html = again.content.decode()
    assert told in html
    assert "cannot become" not in html and "is not due" not in html
    assert Order.objects.get().status == "cancelled"
    assert Payment.objects.filter(status="started").count() == 0


def test_cancelling_from_a_page_left_open_after_paying_says_it_is_paid(client, at_payment_page):
    order_page = choose(client, at_payment_page, "success").url.split("?")[0]

    again = client.post(order_page + "cancel/", follow=True)

    html = again.content.decode()
    assert "This order is paid, so it can no longer be cancelled here" in html
    assert "cannot become" not in html
    assert Order.objects.get().status == "paid"


def test_an_order_priced_in_a_lower_case_currency_is_paid(client, db):
    # Product prices took any three letters before the currency was a choice.
    order = placed_order(ProductFactory(currency="eur", price_minor=2900))
    pay_page = client.post(reverse("orders:link_pay", args=[order_access_token(order)])).url

    choose(client, pay_page, "success")

    order.refresh_from_db()
    assert order.status == "paid"


def test_a_payment_page_that_no_longer_matches_its_order_charges_nothing(client, at_payment_page):
    Payment.objects.update(amount_minor=100)

    response = choose(client, at_payment_page, "success", follow=True)

    assert response.status_code == 200
    assert "so nothing was charged" in response.content.decode()
    assert Order.objects.get().status == "pending"
    assert Payment.objects.get().status == "started"


@pytest.mark.live_worker
def test_a_real_worker_delivers_the_receipt(live_worker, resume):
    from careerperfect.testing import wait_for
    from orders.tests.factories import sandbox_paid

    order = placed_order(resume, email="gina@example.com")
    sandbox_paid(order)

    wait_for(lambda: OutboundMessage.objects.filter(status="sent").exists())
    (delivered,) = (live_worker.var_dir / "mail").iterdir()
    text = delivered.read_text()
    assert f"Subject: Your CareerPerfect receipt, order {order.reference}" in text
    assert "To: gina@example.com" in text
