"""A refund and a writer's assignment at the same moment, on PostgreSQL's real row
locks: whichever commits first, no writer is left on a refunded resume."""

import threading

import pytest
from django.db import connection, transaction

from accounts.roles import RESUME_WRITER
from careerperfect.tests.row_locks import wait_for_a_blocked_lock
from orders.models import OrderEvent
from orders.services import order_refund
from resumes.services import ResumeActionRefused, resume_writer_assign
from resumes.tests.factories import staff_member, workspace_submitted


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["refund", "assignment"])
@pytest.mark.parametrize("writer_before", [False, True], ids=["assigning", "reassigning"])
def test_a_refund_and_an_assignment_at_once_leave_no_writer(first, writer_before):
    earlier = staff_member(RESUME_WRITER, email="earlier@example.com") if writer_before else None
    workspace = workspace_submitted(writer=earlier)
    writer = staff_member(RESUME_WRITER, email="writer@example.com")

    def refund():
        order = workspace.entitlement.order_line.order
        order_refund(order=order, source=OrderEvent.Source.STAFF, reason="Asked", at_provider=False)

    def assign():
        resume_writer_assign(workspace=workspace, writer=writer, actor=None)

    errors = []

    def second():
        try:
            (assign if first == "refund" else refund)()
        except Exception as error:  # Reported below, from the test's own thread.
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=second)
    with transaction.atomic():
        (refund if first == "refund" else assign)()
        other.start()
        wait_for_a_blocked_lock()
    other.join(timeout=30)

    assert not other.is_alive()
    workspace.refresh_from_db()
    assert workspace.writer is None
    assert [type(error) for error in errors] == ([ResumeActionRefused] if first == "refund" else [])
