import django.db.models.functions.text
from django.db import migrations, models

from careerperfect.migration_operations import AddUniqueConstraintOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    # The unique index is built, and the one it replaces dropped, without blocking the
    # table (careerperfect.migration_operations). It fails if two accounts already
    # share an address but for its case: merge or erase one of them first.
    atomic = False

    dependencies = [
        ('accounts', '0005_one_data_export_in_progress'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        AddUniqueConstraintOnline(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Upper('email'), name='one_account_per_address', violation_error_message='This address already has an account.'),
        ),
        RemoveIndexOnline(
            model_name='user',
            name='accounts_user_email_upper',
        ),
    ]
