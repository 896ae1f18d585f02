"""Benchmark: a campaign's fan-out to many opted-in addresses (P4).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.campaign_fanout [--granted 100000]

On a scratch database: N addresses with a granted marketing election and N more that
granted and then withdrew it, all recorded through the consent ledger's services.
Times the fan-out (one delivery row per address, one send task per chunk queued),
measures the enqueuing process's peak RSS growth, runs the fan-out a second time
(a redelivered task), and checks that no delivery is for a withdrawn address and
none is duplicated. Targets: RSS growth <= 100 MB, 0 withdrawn, 0 duplicates.
"""

import argparse
import multiprocessing
import time

from bench.scratch import (
    django_setup,
    peak_rss_kib,
    peak_rss_reset,
    rss_kib,
    scratch_database,
    vendor,
)

TARGET_RSS_MB = 100


def addresses_create(granted: int, withdrawn: int) -> None:
    """Through the ledger's services, one event at a time: faithful, but slow at scale."""
    from django.db import transaction

    from consent.purposes import Purpose, Source
    from consent.services import consent_grant, consent_withdraw

    # One transaction per thousand addresses: the ledger's own transactions become
    # savepoints, saving a commit per event.
    for start in range(0, granted + withdrawn, 1000):
        with transaction.atomic():
            for n in range(start, min(start + 1000, granted + withdrawn)):
                email = f"reader{n}@example.com"
                consent_grant(
                    email=email,
                    purpose=Purpose.MARKETING,
                    source=Source.SIGNUP,
                    owner_confirmed=True,
                )
                if n >= granted:
                    consent_withdraw(
                        email=email, purpose=Purpose.MARKETING, source=Source.PREFERENCES
                    )


def addresses_bulk_create(granted: int, withdrawn: int) -> None:
    """The same rows as addresses_create() would leave, written in bulk.

    Only for this benchmark's fixture at full size (300,000 events one by one take
    too long on a shared machine); the application itself writes the ledger only
    through consent.services.
    """
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from consent.models import ConsentEvent, Election, Subject, email_digest
    from consent.purposes import Purpose, Source

    now = timezone.now()
    for start in range(0, granted + withdrawn, 5000):
        numbers = range(start, min(start + 5000, granted + withdrawn))
        with transaction.atomic():
            subjects = Subject.objects.bulk_create(
                [
                    Subject(
                        email=f"reader{n}@example.com",
                        email_digest=email_digest(f"reader{n}@example.com"),
                    )
                    for n in numbers
                ]
            )
            events = []
            for n, subject in zip(numbers, subjects, strict=True):
                events.append(
                    ConsentEvent(
                        subject=subject,
                        purpose=Purpose.MARKETING,
                        granted=True,
                        source=Source.SIGNUP,
                        occurred_at=now - timedelta(days=1),
                    )
                )
                if n >= granted:
                    events.append(
                        ConsentEvent(
                            subject=subject,
                            purpose=Purpose.MARKETING,
                            granted=False,
                            source=Source.PREFERENCES,
                            occurred_at=now,
                        )
                    )
            events = ConsentEvent.objects.bulk_create(events)
            latest = {event.subject_id: event for event in events}
            Election.objects.bulk_create(
                [
                    Election(
                        subject_id=subject_id,
                        purpose=event.purpose,
                        granted=event.granted,
                        occurred_at=event.occurred_at,
                        event=event,
                    )
                    for subject_id, event in latest.items()
                ]
            )


def _fan_out_in_fresh_process(database_name: str, campaign_id: int, results) -> None:
    """Run in a process of its own, so its memory is the enqueuer's alone."""
    django_setup()
    from django.conf import settings
    from django.db import connection

    from mail.models import Campaign
    from mail.services import campaign_fan_out

    settings.DATABASES["default"]["NAME"] = database_name
    connection.settings_dict["NAME"] = database_name
    Campaign.objects.filter(pk=campaign_id).update(status=Campaign.Status.FANNING_OUT)
    baseline = rss_kib()
    exact = peak_rss_reset()
    started = time.perf_counter()
    streamed = campaign_fan_out(campaign_id=campaign_id)
    seconds = time.perf_counter() - started
    results.put((seconds, streamed, (peak_rss_kib() - baseline) / 1024, exact))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--granted", type=int, default=100_000)
    parser.add_argument("--withdrawn", type=int, default=None, help="default: as many as granted")
    parser.add_argument(
        "--seed",
        choices=["ledger", "bulk"],
        default="ledger",
        help="write the fixture through the ledger's services (default) or in bulk",
    )
    args = parser.parse_args()
    withdrawn = args.granted if args.withdrawn is None else args.withdrawn
    django_setup()
    from django.db import connection
    from django.db.models import Count

    from consent.purposes import Purpose
    from consent.selectors import consent_granted_subjects
    from mail.models import Campaign, Delivery
    from mail.services import campaign_create, campaign_fan_out

    with scratch_database():
        started = time.perf_counter()
        (addresses_create if args.seed == "ledger" else addresses_bulk_create)(
            args.granted, withdrawn
        )
        setup_seconds = time.perf_counter() - started
        campaign = campaign_create(
            kind=Campaign.Kind.MARKETING, subject="Benchmark", body_markdown="Hello."
        )

        # The first fan-out runs in a fresh process: its peak RSS growth is the
        # enqueuer's, not this process's after building the fixture.
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        child = context.Process(
            target=_fan_out_in_fresh_process,
            args=(connection.settings_dict["NAME"], campaign.pk, results),
        )
        child.start()
        first_seconds, streamed, peak_growth_mb, exact_peak = results.get(timeout=1800)
        child.join()

        # A redelivered task runs it again: no delivery may be added.
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)
        started = time.perf_counter()
        campaign_fan_out(campaign_id=campaign.pk)
        second_seconds = time.perf_counter() - started

        deliveries = Delivery.objects.filter(campaign=campaign)
        total = deliveries.count()
        granted_ids = set(
            consent_granted_subjects(purpose=Purpose.MARKETING).values_list("subject_id", flat=True)
        )
        to_withdrawn = sum(
            1
            for subject_id in deliveries.values_list("subject_id_at_queue", flat=True).iterator()
            if subject_id not in granted_ids
        )
        duplicates = deliveries.values("email").annotate(n=Count("id")).filter(n__gt=1).count()

    ok = peak_growth_mb <= TARGET_RSS_MB and to_withdrawn == 0 and duplicates == 0
    print("bench/campaign_fanout.py: campaign fan-out")
    print(f"  database                 {vendor()}")
    print(
        f"  addresses                {args.granted} granted + {withdrawn} withdrawn "
        f"(set-up: {args.seed}, {setup_seconds:.0f} s)"
    )
    print(f"  fan-out                  {streamed} recipients streamed, {total} deliveries")
    print(
        f"  time to queue all        {first_seconds:.2f} s "
        f"({streamed / first_seconds:.0f} deliveries/s)"
    )
    print(f"  second run (redelivery)  {second_seconds:.2f} s, deliveries still {total}")
    print(
        f"  enqueuer peak RSS growth {peak_growth_mb:.1f} MB"
        f"{'' if exact_peak else ' (approximate: peak mark not resettable)'}"
    )
    print(f"  to withdrawn addresses   {to_withdrawn}")
    print(f"  duplicate deliveries     {duplicates}")
    print(
        f"  verdict                  {'meets' if ok else 'MISSES'} the targets "
        f"(RSS <= {TARGET_RSS_MB} MB, 0 withdrawn, 0 duplicates)"
    )


if __name__ == "__main__":
    main()
