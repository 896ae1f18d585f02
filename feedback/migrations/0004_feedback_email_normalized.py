from django.db import migrations


def addresses_normalized(apps, schema_editor):
    # Addresses were kept as typed: one with an international domain in Unicode was
    # not found for an account holding it in its ASCII form (export, erasure).
    from consent.models import email_normalize

    Feedback = apps.get_model("feedback", "Feedback")
    for feedback in Feedback.objects.exclude(email="").only("email").iterator():
        if (email := email_normalize(feedback.email)) != feedback.email:
            Feedback.objects.filter(pk=feedback.pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_feedback_submission_key"),
    ]

    operations = [
        migrations.RunPython(addresses_normalized, migrations.RunPython.noop),
    ]
