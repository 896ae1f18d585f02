import hashlib

from django.db import migrations

BATCH = 2000


def _rekey(apps, key_of):
    InboundMessage = apps.get_model("mail", "InboundMessage")
    rows = InboundMessage.objects.exclude(message_id="").only("message_id", "from_address")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.dedupe_key = key_of(row)
        batch.append(row)
        if len(batch) == BATCH:
            InboundMessage.objects.bulk_update(batch, ["dedupe_key"])
            batch = []
    InboundMessage.objects.bulk_update(batch, ["dedupe_key"])


def with_sender(apps, schema_editor):
    """Messages already recorded get the key they would get now (their Message-ID with
    their sender), so that one delivered again after this change is still recognised.
    Those of an erased person keep theirs: their Message-ID is gone with the rest."""
    _rekey(
        apps,
        lambda row: hashlib.sha256(
            f"message-id:{row.message_id}\nfrom:{row.from_address}".encode("utf-8", "replace")
        ).hexdigest(),
    )


def message_id_only(apps, schema_editor):
    _rekey(
        apps,
        lambda row: hashlib.sha256(
            b"message-id:" + row.message_id.encode("utf-8", "replace")
        ).hexdigest(),
    )


class Migration(migrations.Migration):
    dependencies = [("mail", "0004_campaign_subject_one_line")]

    operations = [migrations.RunPython(with_sender, message_id_only, elidable=False)]
