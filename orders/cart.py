"""The session cart: which products, and for software the computer it is for.

The session holds product ids only; prices and names are read from the catalog each
time, so a cart never shows a stale price and never keeps a deactivated product.
"""

import hashlib
from dataclasses import dataclass

from orders.models import ComputerType, Product

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    product: Product
    computer_type: str = ""

    @property
    def computer_type_label(self) -> str:
        return ComputerType(self.computer_type).label if self.computer_type else ""


class CartError(ValueError):
    """A product cannot go into this cart (the message says why)."""


def product_parts(product: Product) -> list[Product]:
    """The product itself, or for a bundle the products it includes (components
    prefetched by the caller). The admin refuses a bundle within a bundle; one made
    before is walked into, each bundle once, so that a loop ends."""
    parts, seen, todo = [], set(), [product]
    while todo:
        item = todo.pop(0)
        if item.kind != Product.Kind.BUNDLE:
            parts.append(item)
        elif item.pk not in seen:
            seen.add(item.pk)
            todo.extend(item.components.all())
    return parts


def product_needs_computer_type(product: Product) -> bool:
    return any(part.kind == Product.Kind.SOFTWARE for part in product_parts(product))


def _stored(session) -> list[dict]:
    return list(session.get(SESSION_KEY, []))


def cart_add(*, session, product: Product, computer_type: str = "") -> None:
    """Put a product in the cart once (adding it again updates the computer type)."""
    if not product.active:
        raise CartError(f"{product.name} is no longer sold.")
    if product_needs_computer_type(product) != bool(computer_type):
        raise CartError("Choose the computer the software is for.")
    others = [item for item in _stored(session) if item["product"] != product.pk]
    # Withdrawn products are no longer shown in the cart: they leave it now.
    currency_of = dict(
        Product.objects.filter(
            pk__in=[item["product"] for item in others], active=True
        ).values_list("pk", "currency")
    )
    stored = [item for item in others if item["product"] in currency_of]
    if set(currency_of.values()) - {product.currency}:
        raise CartError("Products priced in different currencies must be bought separately.")
    stored.append({"product": product.pk, "computer_type": computer_type})
    session[SESSION_KEY] = stored


def cart_remove(*, session, product_id: int) -> None:
    session[SESSION_KEY] = [item for item in _stored(session) if item["product"] != product_id]


def cart_clear(*, session) -> None:
    session.pop(SESSION_KEY, None)


def cart_lines(*, session) -> list[CartLine]:
    """The cart's active products, in the order they were added (one query, plus one
    for the components of any bundles)."""
    stored = _stored(session)
    if not stored:
        return []
    products = Product.objects.filter(
        pk__in=[item["product"] for item in stored], active=True
    ).prefetch_related("components")
    by_id = {product.pk: product for product in products}
    return [
        CartLine(product=by_id[item["product"]], computer_type=item.get("computer_type", ""))
        for item in stored
        if item["product"] in by_id
    ]


def cart_version(lines: list[CartLine]) -> str:
    """What a checkout page shows of the cart (its products, prices and computer types),
    in short: the order placed must be the one the buyer saw."""
    shown = "|".join(
        f"{line.product.pk}:{line.product.price_minor}:{line.product.currency}:{line.computer_type}"
        for line in lines
    )
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def cart_lines_without_computer_type(lines: list[CartLine]) -> list[CartLine]:
    """Lines whose product came to include software after it went in the cart (a bundle
    changed), so no computer was chosen for its download."""
    return [
        line
        for line in lines
        if product_needs_computer_type(line.product) and not line.computer_type
    ]


def cart_total_minor(lines: list[CartLine]) -> int:
    return sum(line.product.price_minor for line in lines)


def checkout_reasons(lines: list[CartLine]) -> tuple[list[str], list[str]]:
    """Why checkout must ask for a phone number and a postal address: the reasons the
    cart's products give (none → the field is not asked)."""
    phone, address = [], []
    for line in lines:
        for part in [line.product, *product_parts(line.product)]:
            if part.phone_reason and part.phone_reason not in phone:
                phone.append(part.phone_reason)
            if part.postal_address_reason and part.postal_address_reason not in address:
                address.append(part.postal_address_reason)
    return phone, address
