"""Support runs orders from the admin: search, filter, and refunds, cancellations and
fulfilment through actions that call the order services."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MARKETING, ROLE_PERMISSIONS, SUPPORT
from accounts.tests.factories import UserFactory
from orders.models import Order, OrderEvent, Product
from orders.tests.factories import ProductFactory, placed_order, sandbox_paid

CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def support(db):
    user = UserFactory(is_staff=True, email="support@example.com")
    user.groups.add(Group.objects.get(name=SUPPORT))
    return user


@pytest.fixture
def support_client(client, support):
    client.force_login(support)
    return client


def act(client, action, orders, reason=None):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in orders]}
    if reason is None:
        data["index"] = 0
    else:
        data |= {"apply": "1", "reason": reason}
    return client.post(CHANGELIST, data, follow=reason is not None)


def test_support_finds_orders_by_address_and_reference(support_client, resume):
    gina = placed_order(resume, email="gina@example.com", name="Gina Guest")
    placed_order(resume, email="bob@example.com", name="Bob Other")

    by_email = support_client.get(CHANGELIST, {"q": "gina@"}).content.decode()
    by_reference = support_client.get(CHANGELIST, {"q": gina.reference.lower()}).content.decode()

    for html in (by_email, by_reference):
        assert "Gina Guest" in html
        assert "Bob Other" not in html


@pytest.mark.parametrize("quoted", ["Order {}", "order #{}", "#{}", "Order: {}"])
def test_support_finds_an_order_by_its_reference_as_the_customer_quotes_it(
    support_client, resume, quoted
):
    # Receipts, the order page and its link mail all say "Order 1A2B3C4D".
    gina = placed_order(resume, email="gina@example.com", name="Gina Guest")
    placed_order(resume, email="bob@example.com", name="Bob Other")

    html = support_client.get(CHANGELIST, {"q": quoted.format(gina.reference)}).content.decode()

    assert "Gina Guest" in html
    assert "Bob Other" not in html


def test_support_filters_orders_by_status_and_partner(support_client, resume, monster):
    paid = placed_order(resume, name="Paid Person")
    sandbox_paid(paid)
    placed_order(resume, name="Pending Person")
    placed_order(resume, name="Partner Person", partner=monster)

    by_status = support_client.get(CHANGELIST, {"status__exact": "paid"}).content.decode()
    by_partner = support_client.get(CHANGELIST, {"partner__id__exact": monster.pk}).content.decode()

    assert "Paid Person" in by_status and "Pending Person" not in by_status
    assert "Partner Person" in by_partner and "Paid Person" not in by_partner


def test_support_sees_the_order_timeline_but_cannot_edit_the_order(support_client, resume):
    order = placed_order(resume)
    sandbox_paid(order)
    url = reverse("admin:orders_order_change", args=[order.pk])

    html = support_client.get(url).content.decode()
    support_client.post(url, {"status": "refunded", "email": "x@example.com"})

    assert "Payment received through Sandbox (no real payment)" in html
    assert "Order placed" in html
    assert 'name="status"' not in html
    order.refresh_from_db()
    assert (order.status, order.email) == ("paid", "guest@example.com")


def test_a_refund_asks_why_and_the_reason_goes_into_the_timeline(support_client, support, resume):
    order = placed_order(resume)
    sandbox_paid(order)

    confirm = act(support_client, "refund", [order])
    done = act(support_client, "refund", [order], reason="Customer asked within 30 days")

    assert "Refund these orders" in confirm.content.decode()
    assert "Refund these orders: 1 done." in done.content.decode()
    order.refresh_from_db()
    assert order.status == "refunded"
    event = order.events.last()
    assert (event.source, event.actor, event.reason) == (
        "staff",
        support,
        "Customer asked within 30 days",
    )
    assert not order.lines.filter(entitlements__revoked_at__isnull=True).exists()


def test_an_action_the_workflow_forbids_is_refused_with_a_message(support_client, resume):
    paid = placed_order(resume)
    sandbox_paid(paid)
    pending = placed_order(resume)

    response = act(support_client, "cancel", [paid, pending], reason="Duplicate")

    assert "Cancel these orders: 1 done." in response.content.decode()
    assert "cannot become" in response.content.decode()
    paid.refresh_from_db()
    pending.refresh_from_db()
    assert (paid.status, pending.status) == ("paid", "cancelled")


def test_support_sees_what_a_bundle_line_unlocks_as_it_was_ordered(support_client, resume):
    letter = ProductFactory(kind=Product.Kind.COVER_LETTER, name="Letter writing")
    bundle = ProductFactory(kind=Product.Kind.BUNDLE, name="Job hunt kit")
    bundle.components.set([resume, letter])
    order = placed_order(bundle)
    bundle.components.set([resume])

    html = support_client.get(reverse("admin:orders_order_change", args=[order.pk])).content

    assert f"Letter writing, {resume.name}".encode() in html


def test_a_product_a_placed_order_includes_is_not_deleted_and_the_order_is_named(
    admin_client, resume
):
    bundle = ProductFactory(kind=Product.Kind.BUNDLE)
    bundle.components.set([resume])
    order = placed_order(bundle)
    bundle.components.clear()
    url = reverse("admin:orders_product_delete", args=[resume.pk])

    page = admin_client.post(url, {"post": "yes"}).content.decode()

    assert Product.objects.filter(pk=resume.pk).exists()
    assert f"{resume.name} in Order {order.reference}" in page


def test_a_refund_without_a_reason_changes_nothing(support_client, resume):
    order = placed_order(resume)
    sandbox_paid(order)

    act(support_client, "refund", [order], reason="")

    order.refresh_from_db()
    assert order.status == "paid"


def test_support_emails_a_paid_orders_receipt_again_and_is_told_to_whom(
    support_client, resume, mailoutbox, django_capture_on_commit_callbacks
):
    order = placed_order(resume, email="gina@example.com")
    sandbox_paid(order)
    unpaid = placed_order(resume, email="bob@example.com")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            CHANGELIST,
            {
                "action": "resend_receipt",
                "index": 0,
                helpers.ACTION_CHECKBOX_NAME: [order.pk, unpaid.pk],
            },
            follow=True,
        )

    html = response.content.decode()
    assert [message.to for message in mailoutbox] == [["gina@example.com"]]
    assert mailoutbox[0].subject == f"Your CareerPerfect receipt, order {order.reference}"
    assert f"Receipt for order {order.reference} e-mailed again to gina@example.com." in html
    assert f"{unpaid.reference}: an order that is “Awaiting payment” has no receipt." in html


def test_a_receipt_is_not_emailed_again_for_an_order_whose_buyer_was_erased(
    support_client, resume, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.services import account_erase
    from mail.models import OutboundMessage

    buyer = UserFactory(email="erased.buyer@example.com")
    order = placed_order(resume, user=buyer)
    sandbox_paid(order)
    account_erase(user=buyer)  # the order is kept for accounting, without its address
    OutboundMessage.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            CHANGELIST,
            {"action": "resend_receipt", "index": 0, helpers.ACTION_CHECKBOX_NAME: [order.pk]},
            follow=True,
        )

    html = response.content.decode()
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()
    assert "e-mailed again" not in html
    assert f"{order.reference}: its buyer was erased, so it has no address to send to." in html


def test_support_holds_nothing_of_resumes_or_assessment_results():
    held = ROLE_PERMISSIONS[SUPPORT]

    # Support sees workflow (status, writer) and instruments; resume content needs the
    # writer's or the Privacy Officer's permission, answers and scores the latter's.
    assert not {"resumes.view_resume_content", "resumes.work_on_resume"} & held
    assert "assessments.view_private_results" not in held
    assert {"orders.view_order", "orders.refund_order", "orders.cancel_order"} <= held
    assert "orders.change_order" not in held


def test_staff_without_the_refund_permission_get_no_refund_action(client, resume):
    marketer = UserFactory(is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(marketer)
    order = placed_order(resume)
    sandbox_paid(order)

    assert client.get(CHANGELIST).status_code == 403
    act(client, "refund", [order], reason="Not mine to do")

    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.django_db
def test_marketing_manages_the_catalog(client):
    marketer = UserFactory(is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(marketer)

    response = client.post(
        reverse("admin:orders_product_add"),
        {
            "kind": "cover_letter",
            "name": "Thank-you letter",
            "slug": "thank-you-letter",
            "summary": "A letter after the interview.",
            "description": "Written with you.",
            "active": "on",
            "price_minor": "2900",
            "currency": "USD",
            "sort_order": "5",
        },
    )

    assert response.status_code == 302
    assert client.get("/shop/thank-you-letter/").status_code == 200


@pytest.fixture
def marketing_client(client, db):
    marketer = UserFactory(is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(marketer)
    return client


def product_change(product) -> str:
    return reverse("admin:orders_product_change", args=[product.pk])


def product_form(product, **changes):
    """What the admin's change form posts for a product, with some fields changed."""
    return {
        "kind": product.kind,
        "name": product.name,
        "slug": product.slug,
        "summary": product.summary,
        "description": product.description,
        "active": "on",
        "price_minor": product.price_minor,
        "currency": product.currency,
        "components": [part.pk for part in product.components.all()],
        "sort_order": product.sort_order,
    } | changes


def test_a_bundle_cannot_include_a_bundle_or_itself(marketing_client, resume, software):
    starter = ProductFactory(kind=Product.Kind.BUNDLE, name="Starter", slug="starter")
    starter.components.set([resume, software])
    kit = ProductFactory(kind=Product.Kind.BUNDLE, name="Career kit", slug="career-kit")

    with_a_bundle = marketing_client.post(
        product_change(kit), product_form(kit, components=[starter.pk])
    )
    with_itself = marketing_client.post(
        product_change(resume),
        product_form(resume, kind="bundle", components=[resume.pk, software.pk]),
    )
    in_a_bundle = marketing_client.post(
        product_change(software), product_form(software, kind="bundle")
    )

    assert "Select a valid choice" in with_a_bundle.content.decode()
    assert "A bundle includes at least one product" not in with_a_bundle.content.decode()
    assert "A bundle cannot include itself." in with_itself.content.decode()
    assert "is included in the bundle Starter, so it cannot be a bundle" in (
        in_a_bundle.content.decode()
    )
    assert list(kit.components.all()) == []
    assert Product.objects.filter(kind="bundle").count() == 2


def test_a_bundle_of_nothing_cannot_be_saved(marketing_client, resume):
    response = marketing_client.post(
        product_change(resume), product_form(resume, kind="bundle", components=[])
    )

    assert "A bundle includes at least one product" in response.content.decode()
    resume.refresh_from_db()
    assert resume.kind != Product.Kind.BUNDLE


@pytest.mark.parametrize("currency", ["eur", "EURO", "XYZ"])
def test_a_price_needs_the_upper_case_code_of_a_currency_we_sell_in(marketing_client, currency):
    response = marketing_client.post(
        reverse("admin:orders_product_add"),
        {
            "kind": "cover_letter",
            "name": "Lettre de remerciement",
            "slug": "lettre",
            "summary": "Une lettre après l'entretien.",
            "description": "Écrite avec vous.",
            "active": "on",
            "price_minor": "2900",
            "currency": currency,
            "sort_order": "5",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_order_changelist_query_count_is_constant(
    support_client, resume, monster, django_assert_num_queries, count
):
    for i in range(count):
        placed_order(resume, partner=monster if i % 2 else None)
    support_client.get(CHANGELIST)

    # session, user, permissions (user's, groups'), partners for the filter, count, count
    # unfiltered, orders (+partner), date hierarchy (range, days)
    with django_assert_num_queries(10):
        response = support_client.get(CHANGELIST)
    assert response.content.decode().count('class="action-select"') == count


@pytest.mark.django_db
def test_orders_are_not_deleted_from_the_admin(support_client, resume):
    order = placed_order(resume)

    response = support_client.post(
        CHANGELIST,
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [order.pk], "index": 0},
    )

    assert Order.objects.filter(pk=order.pk).exists()
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_an_orders_page_reads_its_lines_in_a_constant_number_of_queries(support_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.templatetags.money import money_format

    queries = []
    for lines in (1, 6):
        products = [
            ProductFactory(kind=Product.Kind.COVER_LETTER, slug=f"p{lines}-{n}", name=f"P{n}")
            for n in range(lines)
        ]
        order = placed_order(*products)
        url = reverse("admin:orders_order_change", args=[order.pk])
        support_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = support_client.get(url)
        queries.append(len(captured))

    price = money_format(products[0].price_minor, order.currency)
    assert f">{price}<" in response.content.decode()
    assert queries[0] == queries[1], queries


@pytest.mark.django_db
def test_an_orders_timeline_reads_in_a_constant_number_of_queries(support_client, resume):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    for changes in (1, 6):
        order = placed_order(resume)
        for n in range(changes):
            OrderEvent.objects.create(
                order=order,
                from_status=order.status,
                to_status=order.status,
                source=OrderEvent.Source.STAFF,
                actor=UserFactory(is_staff=True, email=f"staff{changes}-{n}@example.com"),
                reason="Checked with the buyer.",
            )
        url = reverse("admin:orders_order_change", args=[order.pk])
        support_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = support_client.get(url)
        queries.append(len(captured))

    assert "staff6-5@example.com" in response.content.decode()
    assert queries[0] == queries[1], queries
