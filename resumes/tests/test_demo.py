import pytest

from accounts import demo as accounts_demo
from orders.models import Entitlement
from orders.tests.factories import paid_entitlement
from resumes import demo
from resumes.models import ResumeWorkspace


@pytest.fixture
def demo_people(db):
    accounts_demo.seed()


@pytest.mark.django_db
def test_without_a_resume_order_the_demo_does_nothing(demo_people):
    assert demo.seed() == []
    assert not ResumeWorkspace.objects.exists()


@pytest.mark.django_db
def test_the_demo_writer_is_assigned_to_the_demo_job_seekers_resume_once(demo_people):
    from accounts.models import User

    seeker = User.objects.get(email=accounts_demo.JOB_SEEKER_EMAIL)
    paid_entitlement(user=seeker, kind=Entitlement.Kind.RESUME_WRITING)

    demo.seed()
    demo.seed()

    workspace = ResumeWorkspace.objects.get()
    assert workspace.owner == seeker
    assert workspace.writer.email == demo.DEMO_WRITER_EMAIL
    assert workspace.events.filter(action="writer_assigned").count() == 1
