import django.db.models.deletion
from django.db import migrations, models

# As orders.services.ENTITLEMENTS_BY_PRODUCT_KIND when this was written.
UNLOCKS = {
    "resume_package": ["resume_writing"],
    "cover_letter": ["cover_letter"],
    "software": ["assessments", "software_download"],
}


def parts_of(product):
    # As orders.cart.product_parts: a bundle's parts, one within it walked into once.
    parts, seen, todo = [], set(), [product]
    while todo:
        item = todo.pop(0)
        if item.kind != "bundle":
            parts.append(item)
        elif item.pk not in seen:
            seen.add(item.pk)
            todo.extend(item.components.all())
    return parts


def product_from_bundle_as_it_is(apps, schema_editor):
    """Entitlements granted before they kept their product: the part of the bundle that
    unlocks them now, which is the best there is (the line's own product otherwise)."""
    Entitlement = apps.get_model("orders", "Entitlement")
    for entitlement in Entitlement.objects.filter(product=None).select_related(
        "order_line__product"
    ):
        bought = entitlement.order_line.product
        entitlement.product = next(
            (part for part in parts_of(bought) if entitlement.kind in UNLOCKS.get(part.kind, [])),
            bought,
        )
        entitlement.save(update_fields=["product"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_payment_rejected"),
    ]

    operations = [
        migrations.AddField(
            model_name="entitlement",
            name="product",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.product",
            ),
        ),
        migrations.RunPython(product_from_bundle_as_it_is, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entitlement",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.product",
            ),
        ),
    ]
