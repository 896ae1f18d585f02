import logging

from celery import shared_task

from assessments.scoring import ScoringUnavailable
from assessments.services import sitting_score

logger = logging.getLogger(__name__)

MAX_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_RETRIES)
def sitting_score_task(self, sitting_id: int) -> None:
    try:
        sitting_score(sitting_id=sitting_id)
    except ScoringUnavailable as error:
        if self.request.retries >= MAX_RETRIES:
            # The sitting stays "delayed"; its owner can ask for another try.
            logger.error("Gave up scoring sitting %s for now: %s", sitting_id, error)
            return
        # 30 s, 1, 2, 4, 8, 16 minutes: rides out a partner's short outage.
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
