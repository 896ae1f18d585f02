"""Checkout: what it asks (P3), the elections (P4), the minimum age (P15), and the
order it places, on the main site and on a partner's pages (P8)."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent, Subject
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant
from mail.models import OutboundMessage
from orders.models import Order, OrderLine, Payment
from orders.tests.conftest import PARTNER_HOST

CHECKOUT = reverse("orders:checkout")


def add(client, product, **data):
    return client.post(reverse("orders:cart_add", args=[product.slug]), data, **_host(data))


def _host(data):
    host = data.pop("HTTP_HOST", None)
    return {"HTTP_HOST": host} if host else {}


def buyer(**overrides):
    data = {"name": "Gina Guest", "email": "gina@example.com", "age_confirmed": "on"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Hidden fields of the checkout form that ask nothing.
NOT_ASKED = {"csrfmiddlewaretoken", "checkout_key", "cart_version", "notice_version"}


def inputs(html: str) -> dict[str, str]:
    """The fields of the checkout form (not of other forms on the page, e.g. cookies)."""
    form = re.search(r'<form method="post" action="/checkout/".*?</form>', html, re.S).group(0)
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r'<(?:input|select|textarea)[^>]*name="([^"]+)"[^>]*>', form)
    }


def help_text(html: str, name: str) -> str:
    match = re.search(rf'id="id_{name}_helptext">([^<]*)<', html)
    return match.group(1) if match else ""


@pytest.mark.django_db
def test_an_empty_cart_has_nothing_to_check_out(client):
    response = client.get(CHECKOUT)

    assert response.status_code == 302
    assert response.url == reverse("orders:cart")


def test_checkout_asks_a_guest_only_name_email_and_age_for_a_resume(client, resume):
    add(client, resume)

    html = client.get(CHECKOUT).content.decode()

    asked = set(inputs(html)) - NOT_ASKED
    assert asked == {"name", "email", "age_confirmed", "marketing", "site_updates"}


def test_every_field_checkout_asks_says_why(client, executive):
    add(client, executive)

    html = client.get(CHECKOUT).content.decode()

    assert {"phone", "address_line1", "city", "postal_code", "country"} <= set(inputs(html))
    for name in ("name", "email", "age_confirmed"):
        assert help_text(html, name), name
    assert "Your writer calls you for the interview." in help_text(html, "phone")
    assert "We mail your printed copies here." in help_text(html, "address_line1")


def test_a_bundle_asks_what_its_parts_need(client, executive, software):
    from orders.tests.factories import ProductFactory

    bundle = ProductFactory(kind="bundle", slug="bundle")
    bundle.components.set([executive, software])
    add(client, bundle, computer_type="mac")

    html = client.get(CHECKOUT).content.decode()

    assert "Your writer calls you for the interview." in help_text(html, "phone")


def test_checkout_elections_start_unticked(client, resume):
    add(client, resume)

    fields = inputs(client.get(CHECKOUT).content.decode())

    for name in ("marketing", "site_updates"):
        assert 'type="checkbox"' in fields[name]
        assert "checked" not in fields[name]
        assert "required" not in fields[name]


def test_a_guest_checkout_places_a_pending_order_and_goes_to_the_payment_page(
    client, resume, software
):
    add(client, resume)
    add(client, software, computer_type="linux")

    response = client.post(CHECKOUT, buyer())

    order = Order.objects.get()
    assert (order.status, order.user, order.email, order.name) == (
        "pending",
        None,
        "gina@example.com",
        "Gina Guest",
    )
    assert order.total_minor == resume.price_minor + software.price_minor
    assert list(order.lines.values_list("product_name", "computer_type")) == [
        (resume.name, ""),
        (software.name, "linux"),
    ]
    assert order.age_confirmed_at is not None
    assert order.partner is None and order.partner_notice_version is None
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response.url.startswith("/pay/sandbox/")
    assert (payment.provider, payment.amount_minor, payment.status) == (
        "sandbox",
        order.total_minor,
        "started",
    )
    assert order.events.get().reason == "Order placed"
    assert client.session.get("cart") is None


def test_the_form_sent_twice_at_once_places_one_order(client, resume, monkeypatch):
    from orders import views

    add(client, resume)
    html = client.get(CHECKOUT).content.decode()
    form = buyer(checkout_key=re.search(r'name="checkout_key" value="([^"]+)"', html).group(1))
    place, sent = views.order_create, []

    def with_a_second_submission(**kwargs):
        # It arrives while the first places the order, the cart still in the session.
        if not sent:
            sent.append("first")
            sent.append(client.post(CHECKOUT, form))
        return place(**kwargs)

    monkeypatch.setattr(views, "order_create", with_a_second_submission)

    first = client.post(CHECKOUT, form)

    order = Order.objects.get()
    assert sent[1].url.startswith("/pay/sandbox/")
    assert first.url.startswith("/orders/link/")
    assert "your order was placed once" in client.get(first.url).content.decode()
    assert order.payments.count() == 1
    assert client.session.get("cart") is None


def test_the_form_sent_again_after_its_order_emptied_the_cart_leads_to_that_order(client, resume):
    add(client, resume)
    form = buyer(checkout_key=checkout_key(client))
    client.post(CHECKOUT, form)

    # A double click answered after the first, or the back button and Send again.
    response = client.post(CHECKOUT, form, follow=True)

    order = Order.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/orders/link/")
    assert f"Order {order.reference}" in html
    assert "your order was placed once" in html
    assert "Your cart is empty" not in html
    assert order.payments.count() == 1


@pytest.mark.django_db
def test_a_checkout_form_sent_with_an_empty_cart_and_an_unknown_key_says_the_cart_is_empty(
    client,
):
    for key in (str(uuid.uuid4()), "not-a-key", ""):
        response = client.post(CHECKOUT, buyer(checkout_key=key), follow=True)

        assert response.redirect_chain == [(reverse("orders:cart"), 302)]
        assert "Your cart is empty" in response.content.decode()
    assert not Order.objects.exists()


def checkout_key(client) -> str:
    html = client.get(CHECKOUT).content.decode()
    return re.search(r'name="checkout_key" value="([^"]+)"', html).group(1)


def test_a_stale_checkout_form_for_a_cart_filled_since_orders_nothing_and_keeps_the_cart(
    client, resume, software
):
    add(client, resume)
    key = checkout_key(client)
    client.post(CHECKOUT, buyer(checkout_key=key))
    first = Order.objects.get()
    # A new purchase, then the old form sent again (a second tab, the back button).
    add(client, software, computer_type="mac")

    response = client.post(CHECKOUT, buyer(checkout_key=key, name="Gina New"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"already used for your order {first.reference}" in html
    assert Order.objects.count() == 1
    assert client.session["cart"] == [{"product": software.pk, "computer_type": "mac"}]
    fresh = re.search(r'name="checkout_key" value="([^"]+)"', html).group(1)
    assert fresh != key
    assert 'value="Gina New"' in html

    client.post(CHECKOUT, buyer(checkout_key=fresh, name="Gina New"))

    second = Order.objects.exclude(pk=first.pk).get()
    assert [line.product for line in second.lines.all()] == [software]


def test_a_price_changed_while_the_checkout_page_was_open_orders_nothing_until_seen(client, resume):
    add(client, resume)
    shown = re.search(r'name="cart_version" value="([^"]+)"', client.get(CHECKOUT).text)[1]
    resume.price_minor = 99999
    resume.save()

    response = client.post(CHECKOUT, buyer(cart_version=shown))

    assert response.status_code == 200
    assert "Your cart changed since this page was shown" in response.text
    assert "$999.99" in response.text
    assert not Order.objects.exists()
    fresh = re.search(r'name="cart_version" value="([^"]+)"', response.text)[1]
    assert fresh != shown

    client.post(CHECKOUT, buyer(cart_version=fresh))

    assert Order.objects.get().total_minor == 99999


def test_a_bundle_that_came_to_include_software_in_the_cart_asks_for_the_computer(
    client, resume, software
):
    from orders.models import Product

    bundle = Product.objects.create(
        kind=Product.Kind.BUNDLE, name="Job hunt kit", slug="kit", price_minor=9900
    )
    bundle.components.add(resume)
    add(client, bundle)
    bundle.components.add(software)  # Staff change the bundle meanwhile.

    response = client.post(CHECKOUT, buyer(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("orders:cart")
    assert "Job hunt kit now includes software: choose the computer" in response.text
    assert not Order.objects.exists()


def test_the_checkout_page_is_never_stored_by_the_browser(client, resume):
    add(client, resume)

    response = client.get(CHECKOUT)

    assert "no-store" in response["Cache-Control"]


def test_checkout_without_ticks_records_no_consent(client, resume):
    add(client, resume)

    client.post(CHECKOUT, buyer())

    assert ConsentEvent.objects.count() == 0
    assert not consent_is_granted(email="gina@example.com", purpose=Purpose.MARKETING)


def test_each_ticked_election_records_one_checkout_grant(client, resume):
    add(client, resume)

    client.post(CHECKOUT, buyer(site_updates="on"))

    event = ConsentEvent.objects.get()
    assert (event.purpose, event.granted, event.source) == ("site_updates", True, Source.CHECKOUT)
    assert event.subject.email == "gina@example.com"
    assert event.evidence == {"order": Order.objects.get().reference}
    assert not consent_is_granted(email="gina@example.com", purpose=Purpose.MARKETING)


def test_a_guests_opt_in_waits_for_the_owner_of_the_address_to_confirm_it(client, resume):
    add(client, resume)

    response = client.post(CHECKOUT, buyer(marketing="on"), follow=True)

    request = OutboundMessage.objects.get(kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION)
    assert request.to == "gina@example.com"
    assert "placing an order" in request.text
    assert "a link is on its way to it" in response.content.decode()
    assert not consent_is_granted(
        email="gina@example.com", purpose=Purpose.MARKETING, in_force=True
    )


def test_a_signed_in_buyers_opt_in_needs_no_further_confirmation(client, resume):
    alice = UserFactory(age_confirmed_at=timezone.now())
    client.force_login(alice)
    add(client, resume)

    response = client.post(CHECKOUT, {"name": "Alice", "marketing": "on"}, follow=True)

    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION)
    assert "a link is on its way to it" not in response.content.decode()
    assert consent_is_granted(user=alice, purpose=Purpose.MARKETING, in_force=True)


def test_checkout_below_minimum_age_stores_nothing(client, resume, mailoutbox):
    add(client, resume)

    response = client.post(CHECKOUT, buyer(age_confirmed=None, marketing="on"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tick this box if you are 13 or older" in html
    assert "nothing you entered has been saved" in html
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert Subject.objects.count() == 0
    assert ConsentEvent.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_checkout_names_the_missing_fields(client, executive):
    add(client, executive)

    response = client.post(CHECKOUT, buyer(email="not-an-address"))

    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert 'id="id_email_error"' in html
    assert 'id="id_phone_error"' in html
    assert Order.objects.count() == 0


ADDRESS = {
    "address_line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "United States",
}


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("abc", "Use only digits, spaces and + - ( ) . in a phone number."),
        ("555-0100 ext. 12", "Use only digits, spaces and + - ( ) . in a phone number."),
        ("+1 (555)", "A phone number has at least 6 digits."),
        ("--- ...", "A phone number has at least 6 digits."),
        ("1" * 41, "Ensure this value has at most 40 characters"),
    ],
)
def test_a_phone_number_that_is_not_one_is_refused_clearly(client, executive, phone, message):
    add(client, executive)

    response = client.post(CHECKOUT, buyer(phone=phone, **ADDRESS))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html
    assert message in html
    assert Order.objects.count() == 0


@pytest.mark.parametrize("phone", ["555-0100", "+44 20 7946 0958", "(555) 010.0199", "1234567890"])
def test_a_phone_number_in_a_usual_form_is_kept_as_typed(client, executive, phone):
    add(client, executive)

    client.post(CHECKOUT, buyer(phone=phone, **ADDRESS))

    assert Order.objects.get().phone == phone


def test_an_address_longer_than_an_order_can_store_is_refused_clearly(client, resume):
    add(client, resume)

    response = client.post(CHECKOUT, buyer(email="x" * 250 + "@example.com"))

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert Order.objects.count() == 0


def test_a_signed_in_buyer_is_asked_neither_email_nor_age_again(client, resume):
    from django.utils import timezone

    alice = UserFactory(name="Alice Owner", age_confirmed_at=timezone.now())
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    client.force_login(alice)
    add(client, resume)

    html = client.get(CHECKOUT).content.decode()
    client.post(CHECKOUT, {"name": "Alice Owner", "site_updates": "on"})

    assert set(inputs(html)) - NOT_ASKED == {"name", "site_updates"}
    assert 'value="Alice Owner"' in html
    order = Order.objects.get()
    assert (order.user, order.email) == (alice, alice.email)
    assert order.age_confirmed_at == alice.age_confirmed_at
    assert consent_is_granted(user=alice, purpose=Purpose.SITE_UPDATES)


def test_checkout_on_the_main_host_shows_no_co_brand_notice(client, resume, monster):
    add(client, resume)

    html = client.get(CHECKOUT).content.decode()

    assert "belongs to both CareerPerfect and" not in html


def test_checkout_on_a_partner_host_shows_the_notice_and_keeps_partner_and_version(
    client, resume, monster
):
    add(client, resume, HTTP_HOST=PARTNER_HOST)

    html = client.get(CHECKOUT, HTTP_HOST=PARTNER_HOST).content.decode()
    client.post(CHECKOUT, buyer(notice_version="monster:3"), HTTP_HOST=PARTNER_HOST)

    assert "belongs to both CareerPerfect and Monster" in html
    assert 'name="notice_version" value="monster:3"' in html
    assert 'href="https://partner.example/privacy"' in html
    assert "Co-brand notice, version 3." in html
    assert 'CareerPerfect <span class="co-brand">with Monster</span>' in html
    order = Order.objects.get()
    assert (order.partner, order.partner_notice_version) == (monster, 3)


def test_the_order_keeps_the_notice_version_in_force_when_it_was_placed(
    client, resume, monster, django_capture_on_commit_callbacks
):
    from partners.services import partner_save

    add(client, resume, HTTP_HOST=PARTNER_HOST)
    client.post(CHECKOUT, buyer(notice_version="monster:3"), HTTP_HOST=PARTNER_HOST)
    monster.privacy_policy_url = "https://partner.example/new-privacy"
    with django_capture_on_commit_callbacks(execute=True):
        partner_save(partner=monster, changed_fields=["privacy_policy_url"])

    add(client, resume, HTTP_HOST=PARTNER_HOST)
    client.post(CHECKOUT, buyer(notice_version="monster:4"), HTTP_HOST=PARTNER_HOST)

    assert list(Order.objects.order_by("id").values_list("partner_notice_version", flat=True)) == [
        3,
        4,
    ]


def test_a_checkout_sent_after_the_notice_changed_is_shown_the_new_notice_first(
    client, resume, monster, django_capture_on_commit_callbacks
):
    from partners.services import partner_save

    add(client, resume, HTTP_HOST=PARTNER_HOST)
    client.get(CHECKOUT, HTTP_HOST=PARTNER_HOST)
    monster.privacy_policy_url = "https://partner.example/new-privacy"
    with django_capture_on_commit_callbacks(execute=True):
        partner_save(partner=monster, changed_fields=["privacy_policy_url"])

    again = client.post(CHECKOUT, buyer(notice_version="monster:3"), HTTP_HOST=PARTNER_HOST)

    html = again.content.decode()
    assert "The notice of Monster on this page has changed" in html
    assert 'href="https://partner.example/new-privacy"' in html
    assert 'name="notice_version" value="monster:4"' in html
    assert not Order.objects.exists()


def test_each_postal_field_takes_as_much_as_the_order_keeps(client, executive):
    add(client, executive)

    fields = inputs(client.get(CHECKOUT).content.decode())

    for name in ("address_line1", "address_line2", "city", "region", "postal_code", "country"):
        length = Order._meta.get_field(name).max_length
        assert f'maxlength="{length}"' in fields[name], name


def test_a_long_street_address_the_order_can_keep_is_taken(client, executive):
    add(client, executive)
    street = "Apartment 1204, Building C, " + "Long Industrial Estate Road, " * 4 + "North"

    response = client.post(
        CHECKOUT, buyer(phone="+1 555 0100", **{**ADDRESS, "address_line1": street})
    )

    assert response.status_code == 302
    assert Order.objects.get().address_line1 == street
