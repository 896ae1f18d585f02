import json

import pytest
from django.urls import reverse

from accounts.services import account_erase
from accounts.tests.factories import UserFactory
from orders import personal_data
from orders.models import Entitlement, Order, OrderEvent, Payment
from orders.payments import payment_fail
from orders.providers import SandboxProvider
from orders.tests.factories import placed_order, sandbox_paid


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", name="Alice Owner")


def test_export_holds_my_orders_with_lines_payments_and_timeline(alice, executive, software):
    order = placed_order(
        executive,
        software,
        user=alice,
        phone="555-0101",
        address={"address_line1": "1 Main St", "city": "Springfield", "country": "USA"},
    )
    sandbox_paid(order)
    placed_order(executive, email="bob@example.com")

    data = personal_data.export(alice)

    json.dumps(data)  # The download is JSON.
    (exported,) = data["orders"]
    assert exported["reference"] == order.reference
    assert exported["phone"] == "555-0101"
    assert exported["postal_address"]["city"] == "Springfield"
    assert [line["product"] for line in exported["lines"]] == [executive.name, software.name]
    assert exported["lines"][1]["computer_type"] == "windows"
    assert {u["kind"] for u in exported["lines"][1]["unlocks"]} == {
        "assessments",
        "software_download",
    }
    assert [step["to"] for step in exported["timeline"]] == ["pending", "paid"]
    assert exported["payments"][0]["status"] == "succeeded"


def test_export_includes_guest_orders_placed_with_my_verified_address(alice, resume):
    placed_order(resume, email="Alice@Example.com")

    assert len(personal_data.export(alice)["orders"]) == 1


def test_erase_keeps_orders_for_accounting_without_the_person(alice, executive):
    order = placed_order(
        executive,
        user=alice,
        phone="555-0101",
        address={"address_line1": "1 Main St", "city": "Springfield", "postal_code": "12345"},
    )
    sandbox_paid(order)
    guest = placed_order(executive, email="alice@example.com")
    bobs = placed_order(executive, email="bob@example.com", name="Bob Other")

    personal_data.erase(alice)
    alice.delete()

    for kept in (order, guest):
        kept.refresh_from_db()
        assert (kept.user, kept.name, kept.email, kept.phone) == (None, "", "", "")
        assert not any([kept.address_line1, kept.city, kept.postal_code])
    order.refresh_from_db()
    assert (order.status, order.total_minor) == ("paid", executive.price_minor)
    assert order.lines.get().product_name == executive.name
    assert not Entitlement.objects.filter(user__isnull=False).exists()
    assert OrderEvent.objects.filter(order=order).count() == 2
    bobs.refresh_from_db()
    assert (bobs.email, bobs.name) == ("bob@example.com", "Bob Other")
    assert Order.objects.count() == 3


def test_erasing_an_account_cancels_its_unpaid_orders_so_an_open_payment_page_cannot_be_paid(
    client, alice, resume, executive, software
):
    pending = placed_order(resume, user=alice)
    _, page_url = SandboxProvider().start(order=pending, return_url="", cancel_url="")
    failed = placed_order(executive, email="alice@example.com")
    failed_payment, _ = SandboxProvider().start(order=failed, return_url="", cancel_url="")
    payment_fail(payment=failed_payment, reason="Declined")
    paid = placed_order(software, user=alice)
    sandbox_paid(paid)

    account_erase(user=alice)
    client.post(page_url, {"outcome": "success"})

    for order in (pending, failed, paid):
        order.refresh_from_db()
    assert (pending.status, failed.status, paid.status) == ("cancelled", "cancelled", "paid")
    assert pending.payments.get().status == Payment.Status.CANCELLED
    assert pending.events.get(to_status="cancelled").source == OrderEvent.Source.SYSTEM
    assert (pending.email, failed.email, paid.email) == ("", "", "")


def test_an_account_whose_unpaid_orders_page_cannot_be_closed_is_not_erased(
    client, alice, resume, monkeypatch
):
    from accounts.models import User
    from accounts.tests.test_account_erasure import delete, sign_in
    from orders.providers import PaymentProviderError

    order = placed_order(resume, user=alice)
    SandboxProvider().start(order=order, return_url="", cancel_url="")

    def unreachable(self, *, payment):
        raise PaymentProviderError("Connection refused")

    monkeypatch.setattr(SandboxProvider, "close", unreachable)
    sign_in(client, alice)

    response = delete(client, alice)

    assert response.status_code == 200
    assert "payment provider could not be reached" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    order.refresh_from_db()
    assert (order.status, order.email) == ("pending", "alice@example.com")
    assert client.get(reverse("accounts:privacy")).status_code == 200, "still signed in"


def test_an_order_paid_by_its_webhook_while_erasing_blocks_the_erasure_clearly(
    client, alice, resume, monkeypatch
):
    from accounts.models import User
    from accounts.tests.test_account_erasure import delete, sign_in

    order = placed_order(resume, user=alice)
    SandboxProvider().start(order=order, return_url="", cancel_url="")
    cancel = personal_data.order_cancel

    def paid_meanwhile(*, order, **kwargs):
        Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)  # the webhook
        return cancel(order=order, **kwargs)

    monkeypatch.setattr(personal_data, "order_cancel", paid_meanwhile)
    sign_in(client, alice)

    response = delete(client, alice)

    assert response.status_code == 200
    assert "has just gone through, so nothing was deleted yet" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
