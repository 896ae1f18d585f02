import datetime

from django.db import migrations
from django.utils import timezone

BODY = """# Privacy policy

CareerPerfect helps you write a resume and plan your career. To do that we hold some
information about you. This page says what we hold, why, and what you control.

## What we ask and when

We ask for your name, e-mail address and other details only when you create an
account, enter a contest or buy something, and every form says why each field is
there. Questions about your interests are always optional. We never collect
information from anyone under the minimum age stated on our forms.

## E-mail from us

We send offers or news about changes to the site only if you tick the box for it.
The boxes start unticked. To stop these e-mails, untick them on *My privacy*, use
the unsubscribe link in any such e-mail, or send an e-mail to our contact address
with the word "remove" in the subject.

## Your resume and your assessment results

They are private. Only you, the writer assigned to your order and specially
authorised staff can see your resume, and every staff view is logged. We send your
resume to someone else only when you have named them and allowed it. Your
assessment results are seen only by you; our scoring partner receives your answers
and a random code, never your name or address.

## Visitors, partners and service providers

We count visits only in aggregate, never per person, and partners receive only such
totals. On a co-branded page the information you enter is shared with the partner
named there, under its own privacy policy. Companies that work for us (hosting,
payments, e-mail, customer service) use your information only to do that work.

## Payments and cookies

Your card number goes to our payment provider and never reaches our servers. Our
cookies page lists every cookie we set and what it is for.

## Changes

We publish every version of this policy with the date it took effect and a summary
of what changed.
"""


def publish_v1(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        document="privacy-policy",
        version=1,
        defaults={
            "effective_date": datetime.date(2026, 1, 1),
            "summary": "First version.",
            "body": BODY,
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(publish_v1, migrations.RunPython.noop)]
