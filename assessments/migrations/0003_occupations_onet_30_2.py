from django.db import migrations


def load(apps, schema_editor):
    from assessments.instrument_data import occupations_load

    occupations_load(apps)


class Migration(migrations.Migration):
    """Interest codes (and one title) corrected against O*NET 30.2."""

    dependencies = [("assessments", "0002_instruments_and_occupations")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
