"""Hosts stored before they were normalized (with capitals, a port or a final dot)
never matched a request: store each as lookups find it. One whose normalized form
another host already has is left as it was (it matched nothing anyway)."""

from django.db import migrations
from django.http.request import split_domain_port


def normalize(apps, schema_editor):
    PartnerHost = apps.get_model("partners", "PartnerHost")
    taken = set(PartnerHost.objects.values_list("host", flat=True))
    for host in PartnerHost.objects.order_by("pk"):
        domain, _ = split_domain_port(host.host.strip())
        if domain and domain != host.host and domain not in taken:
            taken.add(domain)
            host.host = domain
            host.save(update_fields=["host"])


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_partnerhost_host_help_text")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop)]
