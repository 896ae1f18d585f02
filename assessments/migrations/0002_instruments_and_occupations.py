from django.db import migrations


def load(apps, schema_editor):
    from assessments.instrument_data import instruments_load, occupations_load

    instruments_load(apps)
    occupations_load(apps)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
