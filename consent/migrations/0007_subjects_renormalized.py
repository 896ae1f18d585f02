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
    international domain such as straße.de filed as strasse.de) move to the address as
    now normalized. A subject of a bare address keeps its key: the address as typed is
    not on record."""
    from consent.models import email_digest, email_normalize

    Subject = apps.get_model("consent", "Subject")
    accounts = Subject.objects.filter(user__isnull=False, email__isnull=False)
    for subject in accounts.select_related("user").iterator():
        email = email_normalize(subject.user.email)
        if email == subject.email or subject.email != _idna2003(subject.user.email):
            continue
        if Subject.objects.filter(email=email).exists():
            continue
        subject.email = email
        subject.email_digest = email_digest(email)
        subject.save(update_fields=["email", "email_digest"])


class Migration(migrations.Migration):
    dependencies = [("consent", "0006_election_awaiting")]

    operations = [migrations.RunPython(renormalize, migrations.RunPython.noop)]
