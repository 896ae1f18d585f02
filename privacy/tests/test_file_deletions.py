"""Files of deleted records leave storage, and none is forgotten on the way: each is
listed in the transaction that deletes its record and taken off the list only once
the file is gone (privacy.services.stored_files_delete)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from privacy.models import FileDeletion
from privacy.services import FILE_DELETION_RETRY_AFTER, file_deletions_retry, stored_files_delete

STORAGE = "data_exports"


def stored(name: str) -> str:
    return storages[STORAGE].save(name, ContentFile(b"Alice's data"))


def later() -> timezone.datetime:
    return timezone.now() + FILE_DELETION_RETRY_AFTER + timedelta(seconds=1)


@pytest.fixture
def refusing_storage(monkeypatch):
    """The storage refuses to delete the named files until they are taken out."""
    storage = storages[STORAGE]
    delete = type(storage).delete
    refused = set()

    def delete_unless_refused(self, name):
        if name in refused:
            raise OSError("storage unavailable")
        delete(self, name)

    monkeypatch.setattr(type(storage), "delete", delete_unless_refused)
    return refused


@pytest.mark.django_db
def test_files_go_once_the_deletion_commits_and_leave_no_listing(
    django_capture_on_commit_callbacks,
):
    names = [stored("a.zip"), stored("b.zip")]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stored_files_delete(storage=STORAGE, names=names)
        assert all(storages[STORAGE].exists(name) for name in names)

    assert not any(storages[STORAGE].exists(name) for name in names)
    assert not FileDeletion.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_deletion_keeps_the_files_and_lists_nothing(
    django_capture_on_commit_callbacks,
):
    name = stored("a.zip")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        stored_files_delete(storage=STORAGE, names=[name])
        raise RuntimeError("the record's deletion failed")

    assert callbacks == []
    assert storages[STORAGE].exists(name)
    assert not FileDeletion.objects.exists()


@pytest.mark.django_db
def test_a_file_whose_commit_hook_never_ran_is_deleted_by_the_retry(
    django_capture_on_commit_callbacks,
):
    name = stored("a.zip")
    # The process dies after the commit, before its hook deletes the file.
    with django_capture_on_commit_callbacks(execute=False):
        stored_files_delete(storage=STORAGE, names=[name])

    assert file_deletions_retry() == 1  # too young: its own commit may still be at it
    assert storages[STORAGE].exists(name)

    assert file_deletions_retry(now=later()) == 0
    assert not storages[STORAGE].exists(name)
    assert not FileDeletion.objects.exists()


@pytest.mark.django_db
def test_a_file_the_storage_refuses_stays_listed_with_the_error_and_goes_later(
    django_capture_on_commit_callbacks, refusing_storage, caplog
):
    kept, other = stored("a.zip"), stored("b.zip")
    refusing_storage.add(kept)

    with django_capture_on_commit_callbacks(execute=True):
        stored_files_delete(storage=STORAGE, names=[kept, other])

    assert not storages[STORAGE].exists(other)
    assert storages[STORAGE].exists(kept)
    listed = FileDeletion.objects.get()
    assert (listed.name, listed.attempts, listed.last_error) == (kept, 1, "storage unavailable")
    assert f"Stored file {STORAGE}:{kept} could not be deleted" in caplog.text

    assert file_deletions_retry(now=later()) == 1
    assert FileDeletion.objects.get().attempts == 2

    refusing_storage.clear()
    assert file_deletions_retry(now=later()) == 0
    assert not storages[STORAGE].exists(kept)


@pytest.mark.django_db
def test_listing_a_file_twice_lists_it_once(django_capture_on_commit_callbacks):
    name = stored("a.zip")
    with django_capture_on_commit_callbacks(execute=False):
        stored_files_delete(storage=STORAGE, names=[name, name, ""])
        stored_files_delete(storage=STORAGE, names=[name])

    assert list(FileDeletion.objects.values_list("name", flat=True)) == [name]


def test_the_retry_is_on_the_beat_schedule(settings):
    from privacy.tasks import file_deletions_retry as task

    entry = settings.CELERY_BEAT_SCHEDULE["file-deletions-retry"]
    assert entry["task"] == task.name
    assert entry["schedule"] <= 3600


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_privacy_officer_sees_what_is_left_in_a_constant_number_of_queries(
    client, privacy_officer, django_assert_num_queries, rows
):
    FileDeletion.objects.bulk_create(
        [FileDeletion(storage=STORAGE, name=f"{n}.zip", attempts=3) for n in range(rows)]
    )
    client.force_login(privacy_officer)
    url = reverse("admin:privacy_filedeletion_changelist")
    client.get(url)

    # session, user, user's own and group permissions, the storages to filter by,
    # count, count of all, the page
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert "0.zip" in response.content.decode()


@pytest.mark.django_db
def test_a_storage_error_of_any_kind_keeps_the_file_listed(
    django_capture_on_commit_callbacks, monkeypatch
):
    kept = stored("a.zip")

    def unreachable(self, name):
        raise RuntimeError("the bucket is unreachable")  # not an OSError

    monkeypatch.setattr(type(storages[STORAGE]), "delete", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        stored_files_delete(storage=STORAGE, names=[kept])

    assert FileDeletion.objects.get().last_error == "the bucket is unreachable"
