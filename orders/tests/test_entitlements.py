import pytest
from django.db.models import ProtectedError

from accounts.tests.factories import UserFactory
from orders.models import Entitlement, OrderEvent, Product
from orders.services import entitlements_grant, order_pay
from orders.tests.factories import (
    OrderLineFactory,
    ProductFactory,
    paid_entitlement,
    placed_order,
)


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


@pytest.mark.django_db
def test_payment_unlocks_the_bundle_as_it_was_ordered_not_as_it_is_now():
    software = ProductFactory(kind=Product.Kind.SOFTWARE)
    cover_letter = ProductFactory(kind=Product.Kind.COVER_LETTER)
    bundle = ProductFactory(kind=Product.Kind.BUNDLE)
    bundle.components.set([software, cover_letter])
    order = placed_order(bundle, user=UserFactory())
    # Before the buyer pays, Marketing turns the bundle into a resume-only offer.
    bundle.components.set([ProductFactory(kind=Product.Kind.RESUME_PACKAGE)])

    order_pay(order=order, source=OrderEvent.Source.PROVIDER, reason="Paid")

    unlocked = {(e.kind, e.product) for e in Entitlement.objects.filter(order_line__order=order)}
    assert unlocked == {
        ("assessments", software),
        ("software_download", software),
        ("cover_letter", cover_letter),
    }


@pytest.mark.django_db
def test_a_product_an_unpaid_order_includes_cannot_be_deleted():
    software = ProductFactory(kind=Product.Kind.SOFTWARE)
    bundle = ProductFactory(kind=Product.Kind.BUNDLE)
    bundle.components.set([software])
    placed_order(bundle)
    bundle.components.clear()

    with pytest.raises(ProtectedError):
        software.delete()
