"""P12: card numbers never reach or stay on our servers.

The checkout journeys below run with a client that (wrongly) sends card fields, and a
provider whose events carry more card data than Stripe ever sends; afterwards no
table holds a card number. And no form on the site asks for one.
"""

import pytest
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from accounts.tests.factories import UserFactory
from mail.models import OutboundMessage
from orders.models import Order
from orders.tests.card_scan import card_fields_in, card_numbers_in, card_numbers_in_database
from orders.tests.factories import ProductFactory
from orders.tests.stripe_fake import session_event, signed

VISA = "4242424242424242"
MASTERCARD_GROUPED = "5555 5555 5555 4444"
AMEX = "378282246310005"
CARD_FIELDS = {
    "card_number": VISA,
    "cc-number": MASTERCARD_GROUPED,
    "cardnumber": AMEX,
    "cvc": "123",
    "exp-date": "12/34",
}


def test_the_scanner_finds_card_numbers_and_only_those():
    assert card_numbers_in(f"paid with {MASTERCARD_GROUPED}.") == ["5555555555554444"]
    assert card_numbers_in({"nested": [AMEX]}) == [AMEX]
    assert card_numbers_in(int(VISA)) == [VISA]
    assert card_numbers_in("4242424242424241") == []  # fails the Luhn check
    assert card_numbers_in("order 4242424242424242abc") == []  # part of a longer token
    assert card_numbers_in("1-800-555-0142 and 2026-11-29 08:04:31") == []


@pytest.mark.django_db
def test_the_scanner_finds_a_card_number_stored_anywhere(client):
    OutboundMessage.objects.create(to="a@example.com", subject="s", text=f"card {VISA}")
    session = client.session
    session["left_behind"] = {"pan": AMEX}
    session.save()

    assert sorted(card_numbers_in_database()) == [
        ("django_session (decoded)", AMEX),
        ("mail_outboundmessage", VISA),
    ]


def _add(client, product, **data):
    client.post(reverse("orders:cart_add", args=[product.slug]), data)


def test_after_checkout_no_table_holds_a_card_number(
    client, fake_stripe, settings, resume, software, monster, django_capture_on_commit_callbacks
):
    buyer = {"name": "Gina Guest", "email": "gina@example.com", "age_confirmed": "on"}

    # The sandbox, as a guest on a partner's pages, with card fields forced into the post.
    settings.PAYMENT_PROVIDER = "sandbox"
    host = {"HTTP_HOST": "monster.careerperfect.localhost"}
    client.post(reverse("orders:cart_add", args=[resume.slug]), CARD_FIELDS, **host)
    checkout = buyer | CARD_FIELDS | {"notice_version": f"monster:{monster.notice_version}"}
    pay_url = client.post(reverse("orders:checkout"), checkout, **host).url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pay_url, {"outcome": "success"} | CARD_FIELDS, **host)

    # Stripe, signed in, with card data in the events and the API answers.
    settings.PAYMENT_PROVIDER = "stripe"
    client.force_login(UserFactory(email="alice@example.com"))
    _add(client, software, computer_type="mac", **CARD_FIELDS)
    fake_stripe.answer(
        "POST",
        "/v1/checkout/sessions",
        {
            "id": "cs_p12",
            "url": "https://checkout.stripe.com/c/pay/cs_p12",
            "amount_total": 4900,
            "currency": "usd",
        },
    )
    card = {"brand": "visa", "last4": "4242", "number": VISA, "fingerprint": AMEX}
    fake_stripe.answer(
        "GET",
        "/v1/payment_intents/pi_test_1",
        {"id": "pi_test_1", "latest_charge": {"payment_method_details": {"card": card}}},
    )
    client.post(reverse("orders:checkout"), {"name": "Alice", "age_confirmed": "on"} | CARD_FIELDS)
    event = session_event(
        "checkout.session.completed", "cs_p12", amount=4900, payment_method_details={"card": card}
    )
    body, header = signed(event)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orders:stripe_webhook"),
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )

    assert list(Order.objects.values_list("status", flat=True).order_by("id")) == ["paid", "paid"]
    assert OutboundMessage.objects.count() == 2
    assert card_numbers_in_database() == []


def _pages_without_arguments() -> list[str]:
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    urls = []
    for name in names:
        if name == "admin:autocomplete":  # A JSON endpoint that needs its parameters.
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return sorted(set(urls))


@pytest.mark.django_db
def test_no_form_on_the_site_has_a_card_field(client, resume, software, executive):
    bundle = ProductFactory(kind="bundle", slug="bundle")
    bundle.components.set([executive, software])
    product_pages = [reverse("orders:product", args=[p.slug]) for p in (resume, software, bundle)]
    _add(client, executive)
    _add(client, bundle, computer_type="windows")
    checkout = client.get(reverse("orders:checkout")).content.decode()
    pay_url = client.post(
        reverse("orders:checkout"),
        {
            "name": "Gina",
            "email": "gina@example.com",
            "phone": "555-0100",
            "address_line1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "USA",
            "age_confirmed": "on",
        },
    ).url
    sandbox = client.get(pay_url).content.decode()
    assert 'name="phone"' in checkout and "Pay $" in sandbox

    pages = {"checkout": checkout, "sandbox payment": sandbox}
    for url in [*_pages_without_arguments(), *product_pages]:
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[url] = response.content.decode()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    order_admin = reverse("admin:orders_order_change", args=[Order.objects.get().pk])
    for url in [*_pages_without_arguments(), order_admin]:
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[f"{url} (staff)"] = response.content.decode()

    assert len(pages) > 50
    assert {page: fields for page, html in pages.items() if (fields := card_fields_in(html))} == {}


def test_payments_keep_only_references_brand_last4_amount_currency_and_status():
    from orders.models import Payment

    assert {field.name for field in Payment._meta.concrete_fields} == {
        "id",
        "order",
        "provider",
        "reference",
        "payment_reference",
        "brand",
        "last4",
        "amount_minor",
        "currency",
        "status",
        "created_at",
        "updated_at",
    }
    assert Payment._meta.get_field("last4").max_length == 4
