from django.core.management import CommandError
from django.db import migrations, models

from careerperfect.migration_operations import AddUniqueConstraintOnline

LISTED = 20


def refuse_a_subject_delivered_twice(apps, schema_editor):
    """Stops before the constraint if rows already break it, and deletes nothing: which
    of a person's deliveries stands is for staff to decide."""
    Delivery = apps.get_model("mail", "Delivery")
    twice = list(
        Delivery.objects.values("campaign_id", "subject_id_at_queue")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .order_by("campaign_id", "subject_id_at_queue")
        .values_list("campaign_id", "subject_id_at_queue")[: LISTED + 1]
    )
    if twice:
        listed = "; ".join(f"campaign {c}, subject {s}" for c, s in twice[:LISTED])
        more = " and more" if len(twice) > LISTED else ""
        # A CommandError is printed by migrate as the message alone.
        raise CommandError(
            "mail.0007 adds one_delivery_per_subject, but these consent subjects already "
            f"have more than one delivery of a campaign: {listed}{more}. Nothing was "
            "changed. Keep one delivery of each (the one sent), delete the others, and "
            "run migrate again."
        )


class Migration(migrations.Migration):
    # The unique index is built without blocking the table (careerperfect.migration_operations).
    atomic = False

    dependencies = [
        ("mail", "0006_inbound_delivery"),
    ]

    operations = [
        migrations.RunPython(refuse_a_subject_delivered_twice, migrations.RunPython.noop),
        AddUniqueConstraintOnline(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("campaign", "subject_id_at_queue"), name="one_delivery_per_subject"
            ),
        ),
    ]
