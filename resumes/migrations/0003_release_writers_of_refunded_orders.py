"""Take writers off the resumes of orders refunded before a refund did so itself
(resumes.services.resume_writers_release): such a writer could still open them."""

from django.db import migrations


def release(apps, schema_editor):
    ResumeWorkspace = apps.get_model("resumes", "ResumeWorkspace")
    ResumeEvent = apps.get_model("resumes", "ResumeEvent")
    for workspace in ResumeWorkspace.objects.filter(
        entitlement__revoked_at__isnull=False, writer__isnull=False
    ):
        workspace.writer = None
        workspace.save(update_fields=["writer"])
        ResumeEvent.objects.create(
            workspace=workspace,
            action="writer_assigned",
            status_after=workspace.status,
            comment="No writer: the order was refunded",
        )


class Migration(migrations.Migration):
    dependencies = [("resumes", "0002_send_message")]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
