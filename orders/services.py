from orders.models import Entitlement, Order, Product

# What each kind of product unlocks once paid for.
ENTITLEMENTS_BY_PRODUCT_KIND = {
    Product.Kind.RESUME_PACKAGE: [Entitlement.Kind.RESUME_WRITING],
    Product.Kind.COVER_LETTER: [Entitlement.Kind.COVER_LETTER],
    Product.Kind.SOFTWARE: [Entitlement.Kind.ASSESSMENTS, Entitlement.Kind.SOFTWARE_DOWNLOAD],
}


def _kinds_for(product: Product) -> list[Entitlement.Kind]:
    if product.kind == Product.Kind.BUNDLE:
        return [kind for part in product.components.all() for kind in _kinds_for(part)]
    return ENTITLEMENTS_BY_PRODUCT_KIND[product.kind]


def entitlements_grant(*, order: Order) -> list[Entitlement]:
    """Create the entitlements a paid order's lines unlock (idempotent)."""
    granted = []
    for line in order.lines.select_related("product"):
        for kind in dict.fromkeys(_kinds_for(line.product)):
            entitlement, _ = Entitlement.objects.get_or_create(
                order_line=line, kind=kind, defaults={"user": order.user}
            )
            granted.append(entitlement)
    return granted
