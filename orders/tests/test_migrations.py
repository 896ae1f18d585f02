"""Data migrations of orders, run on rows as they stood before them."""

import pytest

from careerperfect.tests.migrations import _latest_schema_after, migrate  # noqa: F401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entitlements_granted_before_keep_the_part_of_the_bundle_that_unlocks_them():
    old = migrate(("orders", "0009_payment_rejected"))
    Product = old.get_model("orders", "Product")
    Order = old.get_model("orders", "Order")
    OrderLine = old.get_model("orders", "OrderLine")
    Entitlement = old.get_model("orders", "Entitlement")

    def product(kind, slug):
        return Product.objects.create(
            kind=kind, name=slug, slug=slug, summary="", description="", price_minor=100
        )

    software, resume = product("software", "planner"), product("resume_package", "resume")
    bundle = product("bundle", "everything")
    bundle.components.set([resume, software])
    order = Order.objects.create(email="buyer@example.com", name="Buyer", status="paid")
    for bought in (bundle, software):
        line = OrderLine.objects.create(
            order=order, product=bought, product_name=bought.name, unit_price_minor=100
        )
        for kind in ("assessments", "software_download"):
            Entitlement.objects.create(order_line=line, kind=kind)
    Entitlement.objects.create(
        order_line=OrderLine.objects.get(product=bundle), kind="resume_writing"
    )

    new = migrate(("orders", "0010_entitlement_product"))

    unlocked = {
        (e.order_line.product.slug, e.kind): e.product.slug
        for e in new.get_model("orders", "Entitlement").objects.select_related(
            "order_line__product", "product"
        )
    }
    assert unlocked == {
        ("everything", "assessments"): "planner",
        ("everything", "software_download"): "planner",
        ("everything", "resume_writing"): "resume",
        ("planner", "assessments"): "planner",
        ("planner", "software_download"): "planner",
    }
    migrate(("orders", "0009_payment_rejected"))  # and back, keeping the rows
    assert old.get_model("orders", "Entitlement").objects.count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lines_placed_before_keep_what_their_bundle_includes_and_what_they_unlocked():
    old = migrate(("orders", "0010_entitlement_product"))
    Product = old.get_model("orders", "Product")
    Order = old.get_model("orders", "Order")
    OrderLine = old.get_model("orders", "OrderLine")

    def product(kind, slug):
        return Product.objects.create(
            kind=kind, name=slug, slug=slug, summary="", description="", price_minor=100
        )

    software, resume = product("software", "planner"), product("resume_package", "resume")
    letter = product("cover_letter", "letter")
    bundle = product("bundle", "everything")
    bundle.components.set([resume, letter])
    order = Order.objects.create(email="buyer@example.com", name="Buyer", status="paid")
    paid = OrderLine.objects.create(
        order=order, product=bundle, product_name="everything", unit_price_minor=100
    )
    # Paid while the bundle still held the software, since taken out of it.
    old.get_model("orders", "Entitlement").objects.create(
        order_line=paid, kind="software_download", product=software
    )
    unpaid = Order.objects.create(email="buyer@example.com", name="Buyer")
    OrderLine.objects.create(
        order=unpaid, product=software, product_name="planner", unit_price_minor=100
    )

    new = migrate(("orders", "0011_order_line_parts"))

    parts = {
        line.product.slug: sorted(part.slug for part in line.parts.all())
        for line in new.get_model("orders", "OrderLine").objects.select_related("product")
    }
    assert parts == {"everything": ["letter", "planner", "resume"], "planner": ["planner"]}
    migrate(("orders", "0010_entitlement_product"))
    assert old.get_model("orders", "OrderLine").objects.count() == 2
