"""The order workflow: every allowed and every forbidden transition, and what the
transitions that matter do besides changing the status."""

import itertools

import pytest

from accounts.tests.factories import UserFactory
from orders.models import Order, OrderEvent, Payment
from orders.services import (
    TRANSITIONS,
    OrderTransitionError,
    order_cancel,
    order_fulfil,
    order_refund,
    order_transition,
)
from orders.tests.factories import OrderFactory, placed_order, sandbox_paid

Status = Order.Status

ALLOWED = {
    (Status.PENDING, Status.PAID),
    (Status.PENDING, Status.PAYMENT_FAILED),
    (Status.PENDING, Status.CANCELLED),
    (Status.PAYMENT_FAILED, Status.PENDING),
    (Status.PAYMENT_FAILED, Status.PAID),
    (Status.PAYMENT_FAILED, Status.CANCELLED),
    (Status.PAID, Status.FULFILLED),
    (Status.PAID, Status.REFUNDED),
    (Status.FULFILLED, Status.REFUNDED),
}
ALL_PAIRS = list(itertools.product(Status, Status))


def test_the_table_is_the_documented_workflow():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), sorted(ALLOWED))
def test_an_allowed_transition_changes_the_status_and_records_who_when_and_why(start, end):
    staff = UserFactory(is_staff=True)
    order = OrderFactory(status=start)

    order_transition(
        order=order, to=end, source=OrderEvent.Source.STAFF, actor=staff, reason="Because"
    )

    order.refresh_from_db()
    assert order.status == end
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status, event.actor, event.reason, event.source) == (
        start,
        end,
        staff,
        "Because",
        "staff",
    )
    assert event.at is not None
    assert (order.paid_at is not None) == (end == Status.PAID)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_a_forbidden_transition_is_refused_and_changes_nothing(start, end):
    order = OrderFactory(status=start)

    with pytest.raises(OrderTransitionError):
        order_transition(order=order, to=end, source=OrderEvent.Source.STAFF, reason="No")

    order.refresh_from_db()
    assert order.status == start
    assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_the_audit_trail_cannot_be_rewritten():
    order = placed_order()
    event = order.events.get()

    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        OrderEvent.objects.filter(order=order).update(reason="Edited")
    with pytest.raises(TypeError):
        event.delete()


@pytest.mark.django_db
def test_paying_unlocks_the_lines_and_refunding_revokes_them(resume, software, mailoutbox):
    order = placed_order(resume, software, user=UserFactory())
    payment = sandbox_paid(order)

    assert order.status == Status.PAID
    assert sorted(order.lines.values_list("entitlements__kind", flat=True)) == [
        "assessments",
        "resume_writing",
        "software_download",
    ]

    order_refund(order=order, source=OrderEvent.Source.STAFF, reason="Changed their mind")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Status.REFUNDED
    assert payment.status == Payment.Status.REFUNDED
    assert all(
        e.revoked_at is not None for line in order.lines.all() for e in line.entitlements.all()
    )
    assert [e.to_status for e in order.events.all()] == ["pending", "paid", "refunded"]


@pytest.mark.django_db
def test_cancelling_closes_the_open_payment_attempt(resume):
    from orders.providers import SandboxProvider

    order = placed_order(resume)
    payment, _ = SandboxProvider().start(order=order, return_url="", cancel_url="")

    order_cancel(order=order, source=OrderEvent.Source.BUYER, reason="Not now")

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert order.status == Status.CANCELLED


@pytest.mark.django_db
def test_a_refund_the_provider_refuses_changes_nothing(resume, monkeypatch):
    from orders.providers import PaymentProviderError, SandboxProvider

    order = placed_order(resume)
    sandbox_paid(order)

    def refuse(self, *, payment):
        raise PaymentProviderError("card network down")

    monkeypatch.setattr(SandboxProvider, "refund", refuse)
    with pytest.raises(PaymentProviderError):
        order_refund(order=order, source=OrderEvent.Source.STAFF, reason="Asked")

    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.payments.get().status == Payment.Status.SUCCEEDED
    assert not order.lines.filter(entitlements__revoked_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_fulfilled_order_can_still_be_refunded(resume):
    order = placed_order(resume)
    sandbox_paid(order)

    order_fulfil(order=order, source=OrderEvent.Source.STAFF, reason="Resume approved")
    order_refund(order=order, source=OrderEvent.Source.STAFF, reason="Goodwill")

    assert [e.to_status for e in order.events.all()] == [
        "pending",
        "paid",
        "fulfilled",
        "refunded",
    ]
