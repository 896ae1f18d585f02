"""Demo data: the demo job seeker owns the career-planning software, so the
assessments are open to them."""

from django.utils import timezone

from accounts.demo import JOB_SEEKER_EMAIL
from accounts.models import User
from assessments.selectors import assessments_entitlement
from orders.cart import CartLine
from orders.models import Order, Product
from orders.services import entitlements_grant, order_lines_add

DEMO_SOFTWARE_SLUG = "career-planning-software"


def seed() -> list[tuple[str, str]]:
    seeker = User.objects.get(email=JOB_SEEKER_EMAIL)
    if assessments_entitlement(user=seeker) is not None:
        return []  # Given already, here or by the orders demo data.
    product = Product.objects.filter(kind=Product.Kind.SOFTWARE, active=True).first()
    if product is None:
        product, _ = Product.objects.get_or_create(
            slug=DEMO_SOFTWARE_SLUG,
            defaults={
                "kind": Product.Kind.SOFTWARE,
                "name": "Career-planning software",
                "summary": "Plan your career, with the interests and work values assessments.",
                "description": "Software for your computer and the career assessments online.",
                "price_minor": 4900,
            },
        )
    order = Order.objects.create(
        user=seeker,
        email=seeker.email,
        name=seeker.name,
        status=Order.Status.PAID,
        total_minor=product.price_minor,
        paid_at=timezone.now(),
    )
    order_lines_add(order=order, lines=[CartLine(product=product)])
    entitlements_grant(order=order)
    return []
