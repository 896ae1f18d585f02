from django.db import migrations, models

IN_PROGRESS = ["queued", "building"]


def one_in_progress_each(apps, schema_editor):
    """Two requests at the same moment could each start an export: the newest of a
    person's stays, the others are closed as failed, so that the constraint holds."""
    DataExport = apps.get_model("accounts", "DataExport")
    twice = (
        DataExport.objects.filter(status__in=IN_PROGRESS)
        .values("user")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .values_list("user", flat=True)
    )
    for user_id in list(twice):
        newest = (
            DataExport.objects.filter(user_id=user_id, status__in=IN_PROGRESS)
            .order_by("-requested_at", "-id")
            .first()
        )
        DataExport.objects.filter(user_id=user_id, status__in=IN_PROGRESS).exclude(
            pk=newest.pk
        ).update(status="failed", error="Asked for twice at once; the other request goes on.")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_email_upper_index")]

    operations = [
        migrations.RunPython(one_in_progress_each, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="dataexport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", IN_PROGRESS)),
                fields=("user",),
                name="one_data_export_in_progress_per_user",
            ),
        ),
    ]
