"""Scoring in a real Celery worker, on the test database and the Redis broker."""

import pytest

from assessments.models import Sitting
from assessments.services import sitting_submit
from assessments.tests.factories import instruments_reload, owner_with_software, sitting_answered
from careerperfect.testing import wait_for


@pytest.mark.live_worker
def test_a_real_worker_scores_a_submitted_sitting(live_worker):
    instruments_reload()
    sitting = sitting_answered(owner_with_software())

    sitting_submit(sitting=sitting)

    def scored():
        sitting.refresh_from_db()
        return sitting.status == Sitting.Status.SCORED

    wait_for(scored, timeout=60)
    assert sitting.result.scores == dict.fromkeys("RIASEC", 16)
    assert sitting.result.provider == "local"
    assert sitting.scoring_attempts == 1
