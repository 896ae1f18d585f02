"""A draft of version 3 of the privacy policy, for the Privacy Officer to publish.

Version 2 says "only you see your career assessment results", while an audited
Privacy Officer may open them (P11), and it does not say that e-mail someone ticked a
box for waits until the address is confirmed as theirs. Version 3 says both. It is a
draft: publishing it in the admin is the Privacy Officer's decision, and publishing
mails the change notice to those who asked for site-update mail (P16).
"""

import datetime

from django.db import migrations
from django.utils import timezone

SUMMARY = """Section 4 now explains that e-mail you ticked a box for starts only once we \
know the address is yours, and what happens when someone else typed your address in. \
Section 11 now says that our Privacy Officer can open assessment results when a privacy \
matter needs it, and that every such look is logged."""

# (text of version 2, what version 3 says instead)
CHANGES = [
    (
        """The boxes always start unticked. Whether we may send you one of these e-mails is
checked again at the moment it is sent, so a change of mind takes effect at once.
""",
        """The boxes always start unticked. Whether we may send you one of these e-mails is
checked again at the moment it is sent, so a change of mind takes effect at once.

A ticked box starts these e-mails only once we know that the address belongs to the
person who ticked it. If you tick one as you create an account, they start when you
confirm your address with the link we send you. If a box is ticked on a form where
anyone could type in any address, such as a guest order or a contest entry, we send
that address a single message asking whether its owner wants them, and nothing more
follows unless the owner says yes. Your *My privacy* page shows a choice that is still
waiting.
""",
    ),
    (
        """Only you see your career assessment results. If an outside company scores an""",
        """Your career assessment results are for you. Inside CareerPerfect, only our Privacy
Officer can open them, one person at a time and only when a privacy matter needs it,
and every time they do so is logged. If an outside company scores an""",
    ),
]


def draft(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    previous = PolicyVersion.objects.filter(document="privacy-policy", version=2).first()
    if previous is None or PolicyVersion.objects.filter(
        document="privacy-policy", version=3
    ).exists():
        return
    body = previous.body
    for before, after in CHANGES:
        if before not in body:  # Not the text this draft was written against.
            return
        body = body.replace(before, after)
    PolicyVersion.objects.create(
        document="privacy-policy",
        version=3,
        effective_date=timezone.localdate() + datetime.timedelta(days=30),
        summary=SUMMARY,
        body=body,
    )


def undraft(apps, schema_editor):
    apps.get_model("privacy", "PolicyVersion").objects.filter(
        document="privacy-policy", version=3, published_at__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0006_file_deletions")]

    operations = [migrations.RunPython(draft, undraft)]
