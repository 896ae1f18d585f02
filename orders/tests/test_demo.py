import pytest
from django.core.management import call_command

from orders.models import Entitlement, Order, Product


@pytest.mark.django_db
def test_seed_demo_gives_the_job_seeker_paid_resume_and_software_orders_once(capsys):
    call_command("seed_demo")
    first = (Product.objects.count(), Order.objects.count(), Entitlement.objects.count())
    call_command("seed_demo")

    assert (Product.objects.count(), Order.objects.count(), Entitlement.objects.count()) == first
    seeker_orders = Order.objects.filter(user__email="jobseeker@example.com")
    assert set(seeker_orders.values_list("status", flat=True)) == {"paid"}
    assert sorted(
        Entitlement.objects.filter(
            user__email="jobseeker@example.com", revoked_at=None
        ).values_list("kind", flat=True)
    ) == ["assessments", "resume_writing", "software_download"]
    assert set(Product.objects.values_list("kind", flat=True)) == {
        "resume_package",
        "cover_letter",
        "software",
        "bundle",
    }
    bundle = Product.objects.get(kind="bundle")
    assert bundle.components.count() == 3
    assert Order.objects.filter(partner__slug="monster", status="paid").count() == 1
