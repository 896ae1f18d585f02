import pytest

from accounts.tests.factories import UserFactory
from orders.models import Entitlement, Product
from orders.services import entitlements_grant
from orders.tests.factories import OrderLineFactory, ProductFactory, paid_entitlement


@pytest.mark.django_db
def test_each_product_kind_unlocks_its_work():
    resume = OrderLineFactory(product__kind=Product.Kind.RESUME_PACKAGE)
    software = OrderLineFactory(product__kind=Product.Kind.SOFTWARE, order=resume.order)

    entitlements_grant(order=resume.order)

    assert list(resume.entitlements.values_list("kind", flat=True)) == ["resume_writing"]
    assert set(software.entitlements.values_list("kind", flat=True)) == {
        "assessments",
        "software_download",
    }
    assert {e.user for e in Entitlement.objects.all()} == {resume.order.user}


@pytest.mark.django_db
def test_a_bundle_unlocks_what_its_components_unlock_once():
    bundle = ProductFactory(kind=Product.Kind.BUNDLE)
    bundle.components.add(
        ProductFactory(kind=Product.Kind.RESUME_PACKAGE),
        ProductFactory(kind=Product.Kind.COVER_LETTER),
        ProductFactory(kind=Product.Kind.RESUME_PACKAGE),
    )
    line = OrderLineFactory(product=bundle)

    entitlements_grant(order=line.order)
    entitlements_grant(order=line.order)

    assert sorted(line.entitlements.values_list("kind", flat=True)) == [
        "cover_letter",
        "resume_writing",
    ]


@pytest.mark.django_db
def test_bundles_within_bundles_made_before_they_were_refused_unlock_their_parts_once():
    software = ProductFactory(kind=Product.Kind.SOFTWARE)
    loop = ProductFactory(kind=Product.Kind.BUNDLE)
    loop.components.add(loop, software)
    outer = ProductFactory(kind=Product.Kind.BUNDLE)
    outer.components.add(loop, ProductFactory(kind=Product.Kind.COVER_LETTER))
    line = OrderLineFactory(product=outer)

    entitlements_grant(order=line.order)

    assert sorted(line.entitlements.values_list("kind", flat=True)) == [
        "assessments",
        "cover_letter",
        "software_download",
    ]


@pytest.mark.django_db
def test_paid_entitlement_factory_gives_an_active_entitlement_of_the_kind():
    user = UserFactory()

    entitlement = paid_entitlement(user=user, kind=Entitlement.Kind.ASSESSMENTS)

    assert entitlement.user == user
    assert entitlement.is_active
    assert entitlement.order_line.order.status == "paid"
