"""Download my data: requested on My privacy, built by a task with its progress shown,
e-mailed, owner-only, expiring after DATA_EXPORT_EXPIRY_DAYS, then deleted by beat."""

import io
import json
import re
import zipfile
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import DataExport, Profile
from accounts.personal_data_registry import PersonalDataModule, personal_data_modules
from accounts.services import (
    EXPORT_BUILD_SOFT_TIME_LIMIT,
    EXPORT_BUILD_TIME_LIMIT,
    data_export_build,
    data_export_request,
    data_exports_expire,
)
from accounts.tests.factories import UserFactory
from accounts.tests.test_account_erasure import REAUTH_URL, reauthenticate
from consent.purposes import Purpose, Source
from consent.services import consent_grant, consent_withdraw, subject_get_or_create
from contests.tests.factories import ContestEntryFactory
from feedback.tests.factories import FeedbackFactory
from privacy.models import Disclosure
from privacy.services import disclosure_record

NEW_URL = reverse("accounts:data_export_new")


def detail_url(export):
    return reverse("accounts:data_export", args=[export.public_id])


def download_url(export):
    return reverse("accounts:data_export_download", args=[export.public_id])


def downloaded(client, export) -> bytes:
    response = client.get(download_url(export))
    assert response.status_code == 200
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def read_zip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["careerperfect-data/data.json"]), files


def built(user) -> DataExport:
    export = data_export_request(user=user)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


@pytest.fixture
def alice(client):
    user = UserFactory(email="alice@example.com", name="Alice Example")
    client.force_login(user)
    reauthenticate(client)
    return user


@pytest.mark.django_db
def test_asking_for_my_data_asks_for_the_password_again_first(client):
    # Everything the site holds on a person, in one file: not for an open session alone.
    client.force_login(UserFactory())

    response = client.post(NEW_URL)

    assert response.url.startswith(REAUTH_URL)
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_requesting_queues_a_build_and_shows_a_page_that_refreshes_itself(client, alice):
    response = client.post(NEW_URL)

    export = DataExport.objects.get()
    assert response.url == detail_url(export)
    assert export.status == DataExport.Status.QUEUED
    page = client.get(detail_url(export))
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert f'href="{detail_url(export)}">Check again now' in html
    assert "<progress" in html
    assert "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_the_progress_page_shows_the_step_being_built(client, alice):
    export = data_export_request(user=alice)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.BUILDING, progress=40, step="Consent ledger"
    )

    html = client.get(detail_url(export)).content.decode()

    assert "Being prepared: Consent ledger" in html
    assert 'value="40"' in html


@pytest.mark.django_db
def test_the_build_runs_as_a_task_after_commit_and_emails_the_link(
    client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW_URL)

    export = DataExport.objects.get()
    assert export.status == DataExport.Status.READY
    assert export.progress == 100
    assert export.expires_at - export.ready_at == timedelta(days=7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert f"http://127.0.0.1:8000{detail_url(export)}" in mail.outbox[0].body
    page = client.get(detail_url(export)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'href="{download_url(export)}"' in page


@pytest.fixture
def requeue_sweep(django_capture_on_commit_callbacks):
    """Run the beat task as beat would, the builds it queues running in turn."""
    from accounts.tasks import data_exports_requeue

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return data_exports_requeue.apply().get()

    return run


def _requested_ago(export, **ago):
    DataExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - timedelta(**ago))


@pytest.mark.django_db
def test_asking_while_the_broker_is_down_shows_the_progress_page_and_beat_builds_it_later(
    client, alice, django_capture_on_commit_callbacks, requeue_sweep
):
    from kombu.exceptions import OperationalError

    from accounts.tasks import data_export_build as build_task

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(build_task, "apply_async", side_effect=down) as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(NEW_URL)

    export = DataExport.objects.get()
    assert queue.called
    assert response.url == detail_url(export)
    assert export.status == DataExport.Status.QUEUED
    assert requeue_sweep() == 0, "too recent: its task may still be on its way"

    _requested_ago(export, minutes=6)
    assert requeue_sweep() == 1

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert requeue_sweep() == 0


@pytest.mark.django_db
def test_the_requeue_sweep_leaves_builds_under_way_and_exports_given_up_on(alice, requeue_sweep):
    from accounts.tasks import data_export_build as build_task

    building = data_export_request(user=alice)
    DataExport.objects.filter(pk=building.pk).update(
        status=DataExport.Status.BUILDING, claimed_at=timezone.now()
    )
    _requested_ago(building, minutes=30)
    too_old = data_export_request(user=UserFactory())
    _requested_ago(too_old, days=2)

    with mock.patch.object(build_task, "apply_async") as queue:
        assert requeue_sweep() == 0

    assert not queue.called


@pytest.mark.django_db
def test_a_build_whose_worker_was_killed_is_queued_again_by_the_sweep(alice, requeue_sweep):
    # The killed worker's message came back at once and found the build claimed (so
    # it did nothing), or the broker dropped it: only the sweep is left to finish it.
    export = data_export_request(user=alice)
    _requested_ago(export, minutes=10)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.BUILDING,
        progress=40,
        claimed_at=timezone.now() - EXPORT_BUILD_TIME_LIMIT - timedelta(seconds=1),
    )

    assert requeue_sweep() == 1

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


@pytest.mark.django_db
def test_the_requeue_sweep_is_on_the_beat_schedule(settings):
    from accounts.tasks import data_exports_requeue

    entry = settings.CELERY_BEAT_SCHEDULE["data-exports-requeue"]
    assert entry["task"] == data_exports_requeue.name
    assert entry["schedule"] <= 600


@pytest.mark.django_db
def test_a_request_while_one_is_in_progress_returns_that_one(client, alice):
    client.post(NEW_URL)
    client.post(NEW_URL)

    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_export_in_progress_per_person(alice):
    from django.db import IntegrityError, transaction

    DataExport.objects.create(user=alice, status=DataExport.Status.BUILDING)

    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.create(user=alice)
    DataExport.objects.create(user=alice, status=DataExport.Status.READY)
    assert DataExport.objects.filter(user=alice).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_the_same_moment_start_one_export():
    import threading

    from django.db import connection, transaction

    from careerperfect.tests.row_locks import wait_for_a_blocked_lock

    user = UserFactory()
    answers = []

    def second():
        try:
            answers.append(data_export_request(user=user))
        finally:
            connection.close()

    other = threading.Thread(target=second)
    with transaction.atomic():
        first = data_export_request(user=user)
        other.start()
        wait_for_a_blocked_lock()  # the second insert waits on the first's entry
    other.join(timeout=30)

    assert not other.is_alive()
    assert [export.pk for export in answers] == [first.pk]
    assert DataExport.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_requests_are_rate_limited(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "data_export": "1/d/user"}

    first = client.post(NEW_URL)
    DataExport.objects.update(status=DataExport.Status.FAILED)
    second = client.post(NEW_URL)

    assert (first.status_code, second.status_code) == (302, 429)


@pytest.mark.django_db
def test_the_zip_holds_every_section_of_the_persons_data(client, alice):
    Profile.objects.create(user=alice, interests="Logistics", job_types=["remote"])
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    FeedbackFactory(user=alice, body="Loved the writer.")
    ContestEntryFactory(email="alice@example.com", city="Dayton")
    disclosure_record(
        recipient="Monster",
        data_categories=["name"],
        basis=Disclosure.Basis.CO_BRAND,
        subjects=[subject_get_or_create(user=alice)],
    )
    disclosure_record(
        recipient="A court",
        data_categories=["name"],
        basis=Disclosure.Basis.LEGAL_REQUIREMENT,
        subjects=[subject_get_or_create(user=alice)],
        shown_to_subject=False,
    )
    export = built(alice)

    data, files = read_zip(downloaded(client, export))

    sections = data["sections"]
    assert set(sections) == {m.label for m in personal_data_modules()}
    assert {"accounts", "consent", "privacy", "feedback", "contests"} <= set(sections)
    assert sections["accounts"]["account"]["email"] == "alice@example.com"
    assert sections["accounts"]["help_us_improve"]["job_types"] == ["Remote"]
    history = sections["consent"]["addresses"][0]["history"]
    assert [(e["code"], e["granted"]) for e in history] == [
        ("marketing", True),
        ("marketing", False),
    ]
    assert [d["recipient"] for d in sections["privacy"]["disclosures"]] == ["Monster"]
    assert sections["feedback"]["feedback"][0]["feedback"] == "Loved the writer."
    assert sections["contests"]["entries"][0]["address"]["city"] == "Dayton"
    assert "careerperfect-data/README.txt" in files


@pytest.mark.django_db
def test_files_an_app_hands_over_are_in_the_zip_under_safe_names(client, alice, monkeypatch):
    fake = SimpleNamespace(
        export=lambda user: {"resumes": 1},
        export_files=lambda user: [
            ("resume.pdf", b"%PDF-1.4 mine"),
            ("resume.pdf", b"%PDF-1.4 second"),
            ("../../etc/passwd", b"not escaping"),
        ],
    )
    modules = [
        *personal_data_modules(),
        PersonalDataModule(app=apps.get_app_config("orders"), module=fake),
    ]
    monkeypatch.setattr(services, "personal_data_modules", lambda: modules)
    export = built(alice)

    data, files = read_zip(downloaded(client, export))

    assert files["careerperfect-data/files/orders/resume.pdf"] == b"%PDF-1.4 mine"
    assert files["careerperfect-data/files/orders/resume-2.pdf"] == b"%PDF-1.4 second"
    assert files["careerperfect-data/files/orders/etc/passwd"] == b"not escaping"
    assert all(name.startswith("careerperfect-data/") for name in files)
    assert data["sections"]["orders"] == {"resumes": 1}
    assert b"files/orders/resume.pdf" in files["careerperfect-data/README.txt"]


@pytest.mark.django_db
def test_the_download_is_an_attachment_that_is_never_cached(client, alice):
    export = built(alice)

    response = client.get(download_url(export))
    response.close()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_only_the_owner_can_see_or_download_an_export(client, alice):
    export = built(alice)
    client.force_login(UserFactory(email="bob@example.com"))

    assert client.get(detail_url(export)).status_code == 404
    assert client.get(download_url(export)).status_code == 404


@pytest.mark.django_db
def test_staff_cannot_download_someone_elses_export(client, alice):
    export = built(alice)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(download_url(export)).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, alice):
    export = built(alice)
    client.logout()

    response = client.get(download_url(export))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_after_seven_days_the_download_is_gone(client, alice):
    export = built(alice)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())

    response = client.get(download_url(export))

    assert response.status_code == 410
    assert "This copy has expired" in response.content.decode()


@pytest.mark.django_db
def test_the_hourly_beat_task_deletes_expired_files_and_only_those(
    alice, django_capture_on_commit_callbacks
):
    old, fresh = built(alice), built(alice)
    DataExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    storage = storages["data_exports"]

    with django_capture_on_commit_callbacks(execute=True):
        first_run = data_exports_expire()
        second_run = data_exports_expire()

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (first_run, second_run) == (1, 0)
    assert (old.status, old.file_name) == (DataExport.Status.EXPIRED, "")
    assert not storage.exists(f"{old.public_id.hex}.zip")
    assert fresh.status == DataExport.Status.READY
    assert storage.exists(fresh.file_name)


@pytest.mark.django_db
def test_the_expiry_task_is_on_the_beat_schedule(settings):
    from accounts.tasks import data_exports_expire as task

    entry = settings.CELERY_BEAT_SCHEDULE["data-exports-expire"]
    assert entry["task"] == task.name
    assert entry["schedule"] <= 3600


@pytest.mark.django_db
def test_building_twice_builds_once(alice):
    export = data_export_request(user=alice)

    assert data_export_build(export_id=export.pk) is True
    assert data_export_build(export_id=export.pk) is False
    assert len(storages["data_exports"].listdir("")[1]) == 1


@pytest.mark.django_db
def test_a_build_left_by_a_dead_worker_is_taken_over(alice):
    export = data_export_request(user=alice)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.BUILDING,
        claimed_at=timezone.now() - EXPORT_BUILD_TIME_LIMIT - timedelta(seconds=1),
    )

    assert data_export_build(export_id=export.pk) is True
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


@pytest.mark.django_db
@pytest.mark.parametrize("minutes_ago", [0, 10])
def test_a_build_another_worker_is_running_is_left_alone(alice, minutes_ago):
    # Ten minutes in is past other tasks' limit, not a build's.
    export = data_export_request(user=alice)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.BUILDING,
        claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
    )

    assert data_export_build(export_id=export.pk) is False


def test_a_build_has_longer_than_other_tasks():
    from django.conf import settings

    from accounts.tasks import data_export_build as build_task

    assert build_task.soft_time_limit == EXPORT_BUILD_SOFT_TIME_LIMIT.total_seconds()
    assert build_task.time_limit == EXPORT_BUILD_TIME_LIMIT.total_seconds()
    assert build_task.soft_time_limit > settings.CELERY_TASK_SOFT_TIME_LIMIT


@pytest.mark.django_db
def test_a_failing_section_marks_the_export_failed(client, alice, monkeypatch):
    def broken(user):
        raise RuntimeError("section exploded")

    fake = SimpleNamespace(export=broken)
    monkeypatch.setattr(
        services,
        "personal_data_modules",
        lambda: [PersonalDataModule(app=apps.get_app_config("orders"), module=fake)],
    )
    export = built(alice)

    assert export.status == DataExport.Status.FAILED
    assert "section exploded" in export.error
    assert "could not prepare your copy" in client.get(detail_url(export)).content.decode()
    assert client.get(download_url(export)).status_code == 410


@pytest.mark.django_db
def test_an_export_stuck_for_a_day_is_given_up(alice):
    export = data_export_request(user=alice)
    DataExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - timedelta(days=2))

    data_exports_expire()

    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED


@pytest.mark.django_db
def test_my_privacy_offers_the_download_and_lists_recent_requests(client, alice):
    export = built(alice)

    html = client.get(reverse("accounts:privacy")).content.decode()

    assert f'action="{NEW_URL}"' in html
    assert re.search(rf'href="{detail_url(export)}">Download \(until', html)


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [False, True])
def test_my_privacy_query_count_is_the_same_whatever_the_exports(
    client, alice, django_assert_num_queries, extra
):
    built(alice)
    if extra:  # One of every other state, one expired download and one in progress.
        expired = built(alice)
        DataExport.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
        for status in (DataExport.Status.FAILED, DataExport.Status.EXPIRED):
            DataExport.objects.create(user=alice, status=status)
        DataExport.objects.create(user=alice, status=DataExport.Status.BUILDING, progress=40)
    client.get(reverse("accounts:privacy"))  # Warm the per-host partner cache.

    # session, user, current elections, how many events in the history, the person's
    # verified addresses, how many disclosures about any of them (no events and no
    # disclosures: no page of either to read), signed-in sessions, recent data exports
    with django_assert_num_queries(8):
        html = client.get(reverse("accounts:privacy")).content.decode()
    assert html.count(">See progress</a>") == extra
    assert html.count(">Download (until") == 1


@pytest.mark.django_db
def test_the_progress_page_query_count(client, alice, django_assert_num_queries):
    export = built(alice)

    # session, user, the export, partner for the host (cold cache)
    with django_assert_num_queries(4):
        response = client.get(detail_url(export))
    assert response.status_code == 200


@pytest.mark.django_db
def test_my_privacy_stops_offering_an_expired_download(client, alice):
    export = built(alice)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())

    html = client.get(reverse("accounts:privacy")).content.decode()

    assert f'href="{detail_url(export)}">Download' not in html
