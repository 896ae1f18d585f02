"""The work of the assessments: start, save as you go, submit, score (P11)."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from assessments.models import Answer, Instrument, Result, Sitting
from assessments.scoring import ScoringUnavailable, scores_rank, scoring_provider
from assessments.selectors import (
    assessments_entitlement,
    scoring_key,
    sitting_answers_by_code,
    sitting_unanswered_pages,
)
from careerperfect.queueing import enqueue_on_commit
from privacy.services import staff_access_record

logger = logging.getLogger(__name__)

# A worker that claimed a sitting this long ago and never finished has died.
SCORING_CLAIM_EXPIRY = timedelta(minutes=5)
# A sitting still "scoring" this long after it was last queued may be sent for scoring
# again by its owner.
SCORING_STALE_AFTER = timedelta(minutes=5)
# The scoring task tries again this many times when the partner cannot score, the
# first after SCORING_RETRY_FIRST and each one after twice as long as the one before
# (30 s, 1, 2, 4, 8, 16 minutes): that rides out a short outage of the partner.
SCORING_RETRIES = 6
SCORING_RETRY_FIRST = timedelta(seconds=30)
# The sweep (sittings_scoring_requeue, run by beat) queues again a sitting that is:
# - "scoring", unclaimed, this long after it was queued: its task was lost on the way
#   (the broker was down when it was queued, or a worker died holding it);
SCORING_LOST_AFTER = timedelta(minutes=3)
# - "delayed" this long after it was queued: its task's own retries are over (with
#   time to spare for the attempts themselves), so it starts another round of them.
SCORING_RETRIES_OVER_AFTER = sum(
    (SCORING_RETRY_FIRST * 2**n for n in range(SCORING_RETRIES)), timedelta()
) + timedelta(minutes=10)
SCORING_REQUEUE_BATCH = 500


class AssessmentsNotPurchased(Exception):
    """The person has no active entitlement to the assessments."""


class SittingClosed(Exception):
    """The sitting was submitted already; its answers can no longer change."""


class SittingIncomplete(Exception):
    def __init__(self, pages: list[int]):
        self.pages = pages
        super().__init__(f"unanswered items on pages {pages}")


def _require_entitlement(user):
    entitlement = assessments_entitlement(user=user)
    if entitlement is None:
        raise AssessmentsNotPurchased
    return entitlement


def sitting_start(*, user, instrument: Instrument) -> Sitting:
    """The person's open sitting of this instrument, or a new one (one per attempt)."""
    entitlement = _require_entitlement(user)
    open_sittings = Sitting.objects.filter(
        user=user, instrument=instrument, status=Sitting.Status.IN_PROGRESS
    )
    sitting = open_sittings.first()
    if sitting is not None:
        return sitting
    try:
        with transaction.atomic():
            return Sitting.objects.create(user=user, instrument=instrument, entitlement=entitlement)
    except IntegrityError:
        # Started at the same moment in another tab: use that one.
        return open_sittings.get()


def sitting_answers_save(*, sitting: Sitting, answers: dict[int, int]) -> None:
    """Save (or change) answers by item id; the caller passes only this instrument's items."""
    _require_entitlement(sitting.user)
    now = timezone.now()
    with transaction.atomic():
        # Read the status under the row lock that submitting also takes, so answers
        # never change after a submit made meanwhile (in another tab).
        status = (
            Sitting.objects.select_for_update()
            .filter(pk=sitting.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != Sitting.Status.IN_PROGRESS:
            raise SittingClosed
        if answers:
            Answer.objects.bulk_create(
                [
                    Answer(sitting=sitting, item_id=item_id, value=value, answered_at=now)
                    for item_id, value in answers.items()
                ],
                update_conflicts=True,
                unique_fields=["sitting", "item"],
                update_fields=["value", "answered_at"],
            )
        Sitting.objects.filter(pk=sitting.pk).update(last_saved_at=now)


def sitting_submit(*, sitting: Sitting, answers: dict[int, int] | None = None) -> Sitting:
    """Save the last page's answers, then close the sitting if it is complete and send
    it for scoring once the transaction commits.

    Raises SittingIncomplete (with the pages to revisit) when an item is unanswered;
    the answers just given are kept all the same.
    """
    from assessments.tasks import sitting_score_task

    if answers:
        sitting_answers_save(sitting=sitting, answers=answers)
    else:
        _require_entitlement(sitting.user)
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
        if locked.status != Sitting.Status.IN_PROGRESS:
            return locked  # Submitted already (a second click, another tab).
        missing = sitting_unanswered_pages(sitting=locked)
        if missing:
            raise SittingIncomplete(missing)
        locked.status = Sitting.Status.SCORING
        locked.submitted_at = locked.scoring_queued_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "scoring_queued_at"])
        # With the broker down the submit stands all the same: the sweep queues it later.
        enqueue_on_commit(sitting_score_task, locked.pk)
    return locked


def sitting_scoring_retry_countdown(*, retries: int) -> int:
    """Seconds before the scoring task's next try, after `retries` tries already."""
    return int(SCORING_RETRY_FIRST.total_seconds()) * 2**retries


def sitting_score(*, sitting_id: int) -> bool:
    """Score a submitted sitting once; True when it was scored now.

    Raises ScoringUnavailable when the provider cannot score it now: the sitting is
    then marked delayed, and the task tries again later.
    """
    now = timezone.now()
    claimed = (
        Sitting.objects.filter(
            pk=sitting_id, status__in=[Sitting.Status.SCORING, Sitting.Status.DELAYED]
        )
        .filter(
            Q(scoring_claimed_at__isnull=True)
            | Q(scoring_claimed_at__lt=now - SCORING_CLAIM_EXPIRY)
        )
        .update(scoring_claimed_at=now, scoring_attempts=F("scoring_attempts") + 1)
    )
    if not claimed:
        return False  # Scored already, or another worker is scoring it.
    sitting = Sitting.objects.select_related("instrument", "result").get(pk=sitting_id)
    if hasattr(sitting, "result"):
        _scored(sitting_id=sitting_id, at=sitting.result.created_at)
        return False  # Scored already, but left in a scoring state: it is scored.
    key = scoring_key(instrument=sitting.instrument)
    provider = scoring_provider()
    try:
        scores = provider.score(
            token=sitting.scoring_token, key=key, answers=sitting_answers_by_code(sitting=sitting)
        )
    except Exception as error:
        reason = str(error) if isinstance(error, ScoringUnavailable) else type(error).__name__
        Sitting.objects.filter(pk=sitting_id).update(
            status=Sitting.Status.DELAYED, scoring_claimed_at=None, scoring_error=reason[:300]
        )
        logger.warning("Scoring of sitting %s delayed: %s", sitting_id, reason)
        raise
    try:
        with transaction.atomic():
            Result.objects.create(
                sitting=sitting,
                scores=scores,
                ranking=scores_rank(key=key, scores=scores),
                maxima={code: key.maximum(code) for code in scores},
                provider=provider.name,
            )
            _scored(sitting_id=sitting_id, at=timezone.now())
    except IntegrityError:
        # Another worker took it over (this one's partner answered after the claim
        # expired) and stored its result first: that one stands.
        _scored(sitting_id=sitting_id, at=Result.objects.get(sitting_id=sitting_id).created_at)
        return False
    return True


def _scored(*, sitting_id: int, at) -> None:
    Sitting.objects.filter(pk=sitting_id).update(
        status=Sitting.Status.SCORED, scored_at=at, scoring_claimed_at=None, scoring_error=""
    )


def sitting_scoring_can_retry(*, sitting: Sitting) -> bool:
    if sitting.status == Sitting.Status.DELAYED:
        return True
    return (
        sitting.status == Sitting.Status.SCORING
        and sitting.scoring_queued_at is not None
        and sitting.scoring_queued_at < timezone.now() - SCORING_STALE_AFTER
    )


def sitting_scoring_retry(*, sitting: Sitting) -> bool:
    """Send a delayed (or stuck) sitting for scoring again; True when it was sent.

    Decided on the row as it is now, not as the caller loaded it, so that a click
    arriving after the sitting was scored leaves it scored. (Two clicks before that
    may both send it; the task's claim scores it once.)
    """
    from assessments.tasks import sitting_score_task

    stale = timezone.now() - SCORING_STALE_AFTER
    sent = (
        Sitting.objects.filter(pk=sitting.pk, result__isnull=True)
        .filter(
            Q(status=Sitting.Status.DELAYED)
            | Q(status=Sitting.Status.SCORING, scoring_queued_at__lt=stale)
        )
        .update(status=Sitting.Status.SCORING, scoring_error="", scoring_queued_at=timezone.now())
    )
    if sent:
        enqueue_on_commit(sitting_score_task, sitting.pk)
    return bool(sent)


def sittings_scoring_requeue() -> int:
    """Queue again, for scoring, the sittings whose task was lost or whose task's own
    retries are over (see SCORING_LOST_AFTER, SCORING_RETRIES_OVER_AFTER); return how
    many. Safe to run at any time and twice at once: each sitting is taken by a
    conditional update, and the task's claim scores a sitting once however often it
    is queued."""
    from assessments.tasks import sitting_score_task

    now = timezone.now()
    due = Q(result__isnull=True) & (
        Q(status=Sitting.Status.SCORING, scoring_queued_at__lt=now - SCORING_LOST_AFTER)
        | Q(status=Sitting.Status.DELAYED, scoring_queued_at__lt=now - SCORING_RETRIES_OVER_AFTER)
    )
    unclaimed = Q(scoring_claimed_at__isnull=True) | Q(
        scoring_claimed_at__lt=now - SCORING_CLAIM_EXPIRY
    )
    candidates = list(
        Sitting.objects.filter(due, unclaimed)
        .order_by("scoring_queued_at")
        .values_list("pk", flat=True)[:SCORING_REQUEUE_BATCH]
    )
    requeued = 0
    for sitting_id in candidates:
        if Sitting.objects.filter(due, unclaimed, pk=sitting_id).update(scoring_queued_at=now):
            enqueue_on_commit(sitting_score_task, sitting_id)
            requeued += 1
    if requeued:
        logger.info("Queued %d sitting(s) for scoring again", requeued)
    return requeued


def sitting_staff_view(*, staff, sitting: Sitting) -> None:
    """Record that a staff member is looking at a person's answers and results (P11)."""
    staff_access_record(
        staff=staff,
        obj=sitting,
        action="view assessment result",
        # Who it was stays findable by id, and goes with their account when erased.
        description=f"{sitting.instrument.name} of user #{sitting.user_id}",
    )


def sittings_erase(*, user) -> int:
    """Delete every sitting of this person, with its answers and result."""
    count, _ = Sitting.objects.filter(user=user).delete()
    return count
