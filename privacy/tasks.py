from celery import shared_task

from privacy import services


@shared_task
def analytics_buffer_flush() -> int:
    """Beat: move buffered usage counts into the database (idempotent)."""
    return services.analytics_flush()


@shared_task
def file_deletions_retry() -> int:
    """Beat: delete the files of deleted records that were not deleted at once."""
    return services.file_deletions_retry()
