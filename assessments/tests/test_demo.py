import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import JOB_SEEKER_EMAIL
from accounts.models import User
from orders.models import Entitlement


@pytest.mark.django_db
def test_the_demo_job_seeker_owns_the_software_and_can_start_both_assessments(client):
    call_command("seed_demo")
    call_command("seed_demo")

    seeker = User.objects.get(email=JOB_SEEKER_EMAIL)
    entitlements = Entitlement.objects.filter(user=seeker, kind=Entitlement.Kind.ASSESSMENTS)
    assert entitlements.count() == 1
    client.force_login(seeker)
    html = client.get(reverse("assessments:index")).content.decode()
    assert html.count(">Start<span") == 2
