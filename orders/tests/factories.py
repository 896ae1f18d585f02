import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.cart import product_parts
from orders.models import Entitlement, Order, OrderLine, Product
from orders.services import entitlements_grant


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    kind = Product.Kind.RESUME_PACKAGE
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    summary = "A product."
    description = "A product for tests."
    price_minor = 9900


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(
        lambda order: order.user.email if order.user else "guest@example.com"
    )
    name = "Test Buyer"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    product_name = factory.LazyAttribute(lambda line: line.product.name)
    unit_price_minor = factory.LazyAttribute(lambda line: line.product.price_minor)

    @factory.post_generation
    def parts(line, create, extracted, **kwargs):
        # As order_lines_add keeps them: what the product includes when ordered.
        if create:
            line.parts.set(product_parts(line.product) if extracted is None else extracted)


def paid_entitlement(*, user, kind: Entitlement.Kind) -> Entitlement:
    """A paid order for `user` whose line unlocks `kind`; returns that entitlement."""
    product_kind = {
        Entitlement.Kind.RESUME_WRITING: Product.Kind.RESUME_PACKAGE,
        Entitlement.Kind.COVER_LETTER: Product.Kind.COVER_LETTER,
        Entitlement.Kind.ASSESSMENTS: Product.Kind.SOFTWARE,
        Entitlement.Kind.SOFTWARE_DOWNLOAD: Product.Kind.SOFTWARE,
    }[kind]
    line = OrderLineFactory(
        order__user=user or UserFactory(),
        order__status=Order.Status.PAID,
        order__paid_at=timezone.now(),
        product__kind=product_kind,
    )
    entitlements_grant(order=line.order)
    return line.entitlements.get(kind=kind)


def placed_order(*products, user=None, email="guest@example.com", partner=None, **fields):
    """An order placed through the checkout service (awaiting payment)."""
    from orders.cart import CartLine, product_needs_computer_type
    from orders.services import order_create

    return order_create(
        lines=[
            CartLine(
                product=product,
                computer_type="windows" if product_needs_computer_type(product) else "",
            )
            for product in products or [ProductFactory()]
        ],
        user=user,
        name=fields.pop("name", "Test Buyer"),
        email=user.email if user else email,
        age_confirmed_at=timezone.now(),
        partner=partner,
        **fields,
    )


def sandbox_paid(order):
    """Pay an order through the sandbox provider; returns the payment."""
    from orders.payments import payment_succeed
    from orders.providers import SandboxProvider

    payment, _ = SandboxProvider().start(order=order, return_url="", cancel_url="")
    payment_succeed(payment=payment, amount_minor=order.total_minor, currency=order.currency)
    payment.refresh_from_db()
    order.refresh_from_db()
    return payment
