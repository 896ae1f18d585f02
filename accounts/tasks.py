from celery import shared_task

from accounts import services


@shared_task(
    soft_time_limit=services.EXPORT_BUILD_SOFT_TIME_LIMIT.total_seconds(),
    time_limit=services.EXPORT_BUILD_TIME_LIMIT.total_seconds(),
)
def data_export_build(export_id: int) -> None:
    services.data_export_build(export_id=export_id)


@shared_task
def data_exports_expire() -> None:
    services.data_exports_expire()


@shared_task
def data_exports_requeue() -> int:
    """Beat: builds whose task was lost (the broker was down) queued again."""
    return services.data_exports_requeue()


@shared_task
def sessions_clear_ended() -> int:
    """Beat: sessions that are over deleted, with allauth's records of them."""
    return services.sessions_clear_ended()
