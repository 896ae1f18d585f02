import contextlib

from django.db import migrations


def _idna2003(email: str) -> str:
    """How addresses were normalized before: the domain by IDNA 2003."""
    local, _, domain = email.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


def renormalize(apps, schema_editor):
    """Account subjects filed under the IDNA 2003 form of their account's address (an
    international domain such as straße.de filed as strasse.de) follow the address as
    now normalized, as they follow any change of address: through the ledger's own
    service, which merges in what the new form has on record (a "remove" sent from it)
    when the account verified the address, and never collides with another subject. A
    subject of a bare address keeps its key: the address as typed is not on record."""
    from accounts.models import User
    from consent.models import email_normalize
    from consent.services import subject_address_follow

    Subject = apps.get_model("consent", "Subject")
    accounts = Subject.objects.filter(user__isnull=False, email__isnull=False)
    for subject in accounts.select_related("user").iterator():
        email = subject.user.email
        if subject.email == _idna2003(email) != email_normalize(email):
            subject_address_follow(user=User.objects.get(pk=subject.user_id))


class Migration(migrations.Migration):
    dependencies = [("consent", "0006_election_awaiting")]

    operations = [migrations.RunPython(renormalize, migrations.RunPython.noop)]
