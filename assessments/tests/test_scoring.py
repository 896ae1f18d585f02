"""Scoring against hand-computed fixtures, locally and through the HTTP partner."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments import services
from assessments.models import Result, Sitting
from assessments.scoring import (
    HttpScorer,
    ScoringKey,
    ScoringUnavailable,
    _scores_from_partner,
    local_scores,
    scores_rank,
    signature_is_valid,
)
from assessments.selectors import code_match_strength, occupation_matches, scoring_key
from assessments.services import (
    sitting_answers_save,
    sitting_score,
    sitting_submit,
)
from assessments.tasks import sitting_score_task
from assessments.tasks import sittings_scoring_requeue as sittings_scoring_requeue_task
from assessments.tests.factories import (
    RIASEC,
    VALUES,
    StubScoringPartner,
    instrument,
    owner_with_software,
    sitting_answered,
    sitting_scored,
)

# Answers by item code, and the scores worked out by hand with the rule in
# assessments/data/riasec-interests.toml (points = answer - 1, summed per type).
RIASEC_ANSWERS = {
    **dict(zip([f"R{n}" for n in range(1, 9)], [5, 4, 3, 2, 1, 5, 4, 3], strict=True)),  # 19
    **dict(zip([f"I{n}" for n in range(1, 9)], [1, 1, 1, 1, 1, 1, 1, 2], strict=True)),  # 1
    **{f"A{n}": 3 for n in range(1, 9)},  # 16
    **dict(zip([f"S{n}" for n in range(1, 9)], [5, 5, 5, 5, 5, 5, 5, 4], strict=True)),  # 31
    **dict(zip([f"E{n}" for n in range(1, 9)], [2, 2, 2, 2, 3, 3, 3, 3], strict=True)),  # 12
    **{f"C{n}": 4 for n in range(1, 9)},  # 24
}
RIASEC_SCORES = {"R": 19, "I": 1, "A": 16, "S": 31, "E": 12, "C": 24}

VALUES_ANSWERS = {
    "ACH1": 5, "ACH2": 5, "ACH3": 5,  # 12
    "IND1": 1, "IND2": 1, "IND3": 1,  # 0
    "REC1": 3, "REC2": 4, "REC3": 5,  # 9
    "REL1": 4, "REL2": 4, "REL3": 4,  # 9
    "SEC1": 2, "SEC2": 2, "SEC3": 2,  # 3
    "BAL1": 5, "BAL2": 4, "BAL3": 1,  # 7
}  # fmt: skip
VALUES_SCORES = {"ACH": 12, "IND": 0, "REC": 9, "REL": 9, "SEC": 3, "BAL": 7}


@pytest.mark.django_db
def test_riasec_scores_match_the_hand_computed_fixture():
    key = scoring_key(instrument=instrument(RIASEC))

    scores = local_scores(key=key, answers=RIASEC_ANSWERS)

    assert scores == RIASEC_SCORES
    assert scores_rank(key=key, scores=scores) == ["S", "C", "R", "A", "E", "I"]


@pytest.mark.django_db
def test_work_values_scores_match_the_hand_computed_fixture_and_ties_keep_the_listed_order():
    key = scoring_key(instrument=instrument(VALUES))

    scores = local_scores(key=key, answers=VALUES_ANSWERS)

    assert scores == VALUES_SCORES
    # Recognition and Relationships tie on 9: Recognition is listed first.
    assert scores_rank(key=key, scores=scores) == ["ACH", "REC", "REL", "BAL", "SEC", "IND"]


@pytest.mark.django_db
def test_equal_riasec_scores_rank_in_riasec_order():
    key = scoring_key(instrument=instrument(RIASEC))
    scores = {"R": 5, "I": 20, "A": 20, "S": 5, "E": 20, "C": 5}

    assert scores_rank(key=key, scores=scores)[:3] == ["I", "A", "E"]


@pytest.mark.django_db
def test_each_scale_maximum_is_four_points_per_item():
    key = scoring_key(instrument=instrument(RIASEC))

    assert {code: key.maximum(code) for code in key.scale_codes} == dict.fromkeys("RIASEC", 32)


@pytest.mark.parametrize(
    ("person", "occupation", "strength"),
    [
        ("SAE", "SAE", 14),  # 3·3 + 2·2 + 1·1
        ("SAE", "ESA", 11),  # S 3·2 + A 2·1 + E 1·3
        ("SAE", "AIS", 9),  # S 3·1 + A 2·3
        ("SAE", "RIC", 0),
        ("RIC", "CRI", 11),  # R 3·2 + I 2·1 + C 1·3
    ],
)
def test_code_match_strength_weights_letters_by_place(person, occupation, strength):
    assert code_match_strength(person, occupation) == strength


@pytest.mark.django_db
def test_occupations_are_listed_by_match_then_title():
    matches = occupation_matches(code="SEA", limit=50)

    strengths = [match.strength for match in matches]
    assert strengths == sorted(strengths, reverse=True)
    exact = [match.occupation.title for match in matches if match.strength == 14]
    assert exact == sorted(exact)
    assert "Clergy" in exact
    assert all(match.occupation.interest_code == "SEA" for match in matches[: len(exact)])
    assert all(match.strength > 0 for match in matches)


def _answer_codes(user, code, answers_by_code):
    sitting = sitting_answered(user, code=code)
    items = instrument(code).items.all()
    sitting_answers_save(
        sitting=sitting, answers={item.pk: answers_by_code[item.code] for item in items}
    )
    return sitting


@pytest.mark.django_db
def test_a_submitted_sitting_is_scored_by_the_local_scorer_in_a_task(
    django_capture_on_commit_callbacks,
):
    sitting = _answer_codes(owner_with_software(), RIASEC, RIASEC_ANSWERS)

    with django_capture_on_commit_callbacks(execute=True):
        sitting_submit(sitting=sitting)

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert sitting.scoring_attempts == 1
    assert sitting.result.scores == RIASEC_SCORES
    assert sitting.result.top_code == "SCR"
    assert sitting.result.provider == "local"


@pytest.mark.django_db
def test_scoring_twice_scores_once(django_capture_on_commit_callbacks):
    sitting = sitting_answered(owner_with_software())
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)

    assert sitting_score(sitting_id=sitting.pk) is True
    assert sitting_score(sitting_id=sitting.pk) is False
    assert Result.objects.filter(sitting=sitting).count() == 1


@pytest.mark.django_db
def test_a_result_stored_meanwhile_by_another_worker_stands(django_capture_on_commit_callbacks):
    """This worker's partner answered after its claim expired and another worker had
    scored the sitting: no error, one result, the sitting scored."""
    from assessments.scoring import LocalScorer

    sitting = sitting_answered(owner_with_software())
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)
    real = LocalScorer.score

    def slow_partner(self, **kwargs):
        scores = real(self, **kwargs)
        Result.objects.create(sitting=sitting, scores=scores, ranking=[], provider="other")
        return scores

    with mock.patch.object(LocalScorer, "score", slow_partner):
        assert sitting_score(sitting_id=sitting.pk) is False

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert Result.objects.get(sitting=sitting).provider == "other"


@pytest.mark.django_db
def test_a_sitting_with_a_result_sent_for_scoring_again_is_marked_scored():
    sitting = sitting_scored(owner_with_software())
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.SCORING)

    assert sitting_score(sitting_id=sitting.pk) is False

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert sitting.scored_at == sitting.result.created_at
    assert Result.objects.filter(sitting=sitting).count() == 1


@pytest.mark.django_db
def test_the_http_partner_scores_with_the_same_rule(settings):
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="s3cret") as partner:
        scorer = HttpScorer(url=partner.url, secret="s3cret", timeout=5)

        scores = scorer.score(token="t" * 32, key=key, answers=RIASEC_ANSWERS)

    assert scores == RIASEC_SCORES


def _wrong_token(answer):
    return answer | {"token": "someone-else"}


def _out_of_range(answer):
    return answer | {"scores": answer["scores"] | {"R": 33}}


def _extra_scale(answer):
    return answer | {"scores": answer["scores"] | {"X": 1}}


def _not_an_integer(answer):
    return answer | {"scores": answer["scores"] | {"R": "19"}}


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", [_wrong_token, _out_of_range, _extra_scale, _not_an_integer])
def test_a_partner_answer_that_does_not_fit_is_refused(tamper):
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="s3cret") as partner:
        partner.tamper = tamper
        scorer = HttpScorer(url=partner.url, secret="s3cret", timeout=5)

        with pytest.raises(ScoringUnavailable):
            scorer.score(token="t" * 32, key=key, answers=RIASEC_ANSWERS)


@pytest.mark.django_db
def test_a_partner_answer_longer_than_any_real_one_is_refused():
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="s3cret") as partner:
        partner.tamper = lambda answer: answer | {"padding": "x" * 100_000}
        scorer = HttpScorer(url=partner.url, secret="s3cret", timeout=5)

        with pytest.raises(ScoringUnavailable, match="too long"):
            scorer.score(token="t" * 32, key=key, answers=RIASEC_ANSWERS)


@pytest.mark.django_db
def test_a_partner_trickling_its_answer_past_the_timeout_is_given_up():
    """Each piece comes within the read timeout; the whole does not."""
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="s3cret") as partner:
        partner.trickle = 0.2
        scorer = HttpScorer(url=partner.url, secret="s3cret", timeout=1)

        with pytest.raises(ScoringUnavailable, match="took too long"):
            scorer.score(token="t" * 32, key=key, answers=RIASEC_ANSWERS)


@pytest.mark.django_db
def test_an_unsigned_or_wrongly_signed_partner_answer_is_refused():
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="another-secret") as partner:
        with pytest.raises(ScoringUnavailable, match="not signed"):
            HttpScorer(url=partner.url, secret="s3cret", timeout=5).score(
                token="t" * 32, key=key, answers=RIASEC_ANSWERS
            )
        partner.secret = "s3cret"
        partner.sign_response = False
        with pytest.raises(ScoringUnavailable, match="not signed"):
            HttpScorer(url=partner.url, secret="s3cret", timeout=5).score(
                token="t" * 32, key=key, answers=RIASEC_ANSWERS
            )


def test_a_signature_header_with_other_than_ascii_is_a_bad_signature_not_a_crash():
    timestamp = str(int(timezone.now().timestamp()))

    assert not signature_is_valid(
        secret="s3cret", timestamp=timestamp, body=b"{}", claimed="sha256=é"
    )


def test_a_signed_answer_nested_too_deep_to_read_is_refused_like_any_unreadable_one():
    with pytest.raises(ScoringUnavailable, match="not JSON"):
        _scores_from_partner(
            b"[" * 30_000 + b"]" * 30_000, token="t" * 32, key=ScoringKey("i", ("R",), {"R1": "R"})
        )


@pytest.mark.django_db
def test_a_partner_that_hangs_times_out():
    key = scoring_key(instrument=instrument(RIASEC))
    with StubScoringPartner(secret="s3cret") as partner:
        partner.delay = 2
        scorer = HttpScorer(url=partner.url, secret="s3cret", timeout=0.5)

        with pytest.raises(ScoringUnavailable, match="ReadTimeout"):
            scorer.score(token="t" * 32, key=key, answers=RIASEC_ANSWERS)


# --- The sweep: scoring that was never queued, or whose retries are over --------------


def _queued_ago(sitting, minutes, **fields):
    Sitting.objects.filter(pk=sitting.pk).update(
        scoring_queued_at=timezone.now() - timedelta(minutes=minutes), **fields
    )


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the beat task as beat would, the tasks it queues running in turn."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return sittings_scoring_requeue_task.apply().get()

    return run


@pytest.mark.django_db
def test_a_sitting_submitted_while_the_broker_was_down_is_scored_by_the_sweep(
    django_capture_on_commit_callbacks, sweep
):
    sitting = sitting_answered(owner_with_software())
    with (
        mock.patch.object(sitting_score_task, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sitting_submit(sitting=sitting)
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORING

    assert sweep() == 0, "too recent: it may still be on its way"
    _queued_ago(sitting, 4)
    assert sweep() == 1

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert sweep() == 0


@pytest.mark.django_db
def test_the_sweep_leaves_a_sitting_being_scored_to_its_worker(sweep):
    sitting = sitting_answered(owner_with_software())
    sitting_submit(sitting=sitting)
    _queued_ago(sitting, 10, scoring_claimed_at=timezone.now() - timedelta(minutes=1))

    with mock.patch.object(sitting_score_task, "apply_async") as apply_async:
        assert sweep() == 0
        Sitting.objects.filter(pk=sitting.pk).update(
            scoring_claimed_at=timezone.now() - timedelta(minutes=6)
        )
        assert sweep() == 1, "the worker holding it died"

    assert apply_async.call_args.kwargs["args"] == (sitting.pk,)


@pytest.mark.django_db
def test_a_delayed_sitting_is_left_to_its_tasks_retries_then_tried_again_by_the_sweep(sweep):
    sitting = sitting_answered(owner_with_software())
    sitting_submit(sitting=sitting)
    # The task's own retries (30 s to 16 minutes apart) are still under way at 30 minutes.
    _queued_ago(sitting, 30, status=Sitting.Status.DELAYED)
    assert sweep() == 0

    _queued_ago(sitting, 45, status=Sitting.Status.DELAYED)
    assert sweep() == 1

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED


@pytest.mark.django_db
def test_the_sweep_never_queues_a_scored_sitting_or_one_in_progress(sweep):
    owner = owner_with_software()
    scored = sitting_scored(owner)
    in_progress = sitting_answered(owner, code=VALUES)
    for sitting in (scored, in_progress):
        _queued_ago(sitting, 60)

    with mock.patch.object(sitting_score_task, "apply_async") as apply_async:
        assert sweep() == 0

    assert not apply_async.called


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sittings-scoring-requeue"]
    assert entry["task"] == sittings_scoring_requeue_task.name
    assert entry["schedule"] <= 300


def test_the_tasks_retries_are_over_before_the_sweep_takes_a_delayed_sitting_up():
    waits = [
        services.sitting_scoring_retry_countdown(retries=n) for n in range(services.SCORING_RETRIES)
    ]

    assert waits == [30, 60, 120, 240, 480, 960]
    assert timedelta(seconds=sum(waits)) < services.SCORING_RETRIES_OVER_AFTER
