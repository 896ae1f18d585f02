from django.db import migrations


def addresses_normalized(apps, schema_editor):
    # Addresses were kept as typed: one with an international domain in Unicode was
    # not found for an account holding it in its ASCII form (export, erasure).
    # One kept before forms refused an address too long once normalized stays as typed.
    from consent.models import ADDRESS_MAX_LENGTH, email_normalize

    Feedback = apps.get_model("feedback", "Feedback")
    for feedback in Feedback.objects.exclude(email="").only("email").iterator():
        email = email_normalize(feedback.email)
        if email != feedback.email and len(email) <= ADDRESS_MAX_LENGTH:
            Feedback.objects.filter(pk=feedback.pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_feedback_submission_key"),
    ]

    operations = [
        migrations.RunPython(addresses_normalized, migrations.RunPython.noop),
    ]
