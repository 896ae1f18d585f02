import logging

from celery import shared_task

from assessments import services
from assessments.scoring import ScoringUnavailable

logger = logging.getLogger(__name__)

# Bounded: the sweep takes up a sitting these retries left delayed (see services).
MAX_RETRIES = services.SCORING_RETRIES


@shared_task(bind=True, max_retries=MAX_RETRIES)
def sitting_score_task(self, sitting_id: int) -> None:
    try:
        services.sitting_score(sitting_id=sitting_id)
    except ScoringUnavailable as error:
        if self.request.retries >= MAX_RETRIES:
            # The sitting stays "delayed": the sweep starts another round of tries
            # later (sittings_scoring_requeue), and its owner may ask for one sooner.
            logger.error("Gave up scoring sitting %s for now: %s", sitting_id, error)
            return
        countdown = services.sitting_scoring_retry_countdown(retries=self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def sittings_scoring_requeue() -> int:
    """Queue again the sittings whose scoring was lost or has paused (run by beat)."""
    return services.sittings_scoring_requeue()
