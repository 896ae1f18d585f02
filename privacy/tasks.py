from celery import shared_task

from privacy.services import analytics_flush


@shared_task
def analytics_buffer_flush() -> int:
    """Beat: move buffered usage counts into the database (idempotent)."""
    return analytics_flush()
