"""The owner's own data export includes their answers and results; erasing removes them."""

import json

import pytest

from assessments import personal_data
from assessments.models import Answer, Result, Sitting
from assessments.tests.factories import (
    VALUES,
    owner_with_software,
    sitting_answered,
    sitting_scored,
)

SCORES = {"R": 4, "I": 10, "A": 27, "S": 30, "E": 22, "C": 8}


@pytest.mark.django_db
def test_the_export_holds_every_sitting_with_answers_and_results():
    owner = owner_with_software()
    sitting_scored(owner, scores=SCORES)
    sitting_answered(owner, code=VALUES)
    sitting_scored(owner_with_software())  # someone else's

    exported = personal_data.export(owner)

    json.dumps(exported)  # serialisable as it is
    scored, open_one = exported["sittings"]
    assert scored["instrument_code"] == "riasec-interests"
    assert scored["status"] == "Scored"
    assert len(scored["answers"]) == 48
    assert scored["answers"][0] == {
        "item": "R1",
        "statement": "Track down why a bicycle's gears keep slipping and put it right",
        "counts_towards": "Realistic",
        "answer": "Unsure",
        "value": 3,
        "answered_at": scored["answers"][0]["answered_at"],
    }
    assert scored["result"]["scores"]["Social"] == 30
    assert scored["result"]["ranking"][:3] == ["Social", "Artistic", "Enterprising"]
    assert scored["result"]["interest_code"] == "SAE"
    assert open_one["instrument_code"] == "work-values"
    assert open_one["result"] is None
    assert len(open_one["answers"]) == 18


@pytest.mark.django_db
def test_the_export_says_when_staff_looked_at_a_result():
    from accounts.roles import PRIVACY_OFFICER
    from assessments.services import sitting_staff_view
    from resumes.tests.factories import staff_member

    owner = owner_with_software()
    sitting = sitting_scored(owner, scores=SCORES)
    officer = staff_member(PRIVACY_OFFICER, email="officer@example.com")
    sitting_staff_view(staff=officer, sitting=sitting)
    sitting_staff_view(staff=officer, sitting=sitting_scored(owner_with_software()))

    [exported] = personal_data.export(owner)["sittings"]

    [view] = exported["staff_views"]
    assert view["action"] == "view assessment result"
    assert "officer@example.com" not in json.dumps(view)


@pytest.mark.django_db
def test_the_export_keeps_a_score_whose_scale_was_deleted_since(
    django_capture_on_commit_callbacks,
):
    from assessments.models import Scale
    from assessments.services import sitting_score, sitting_submit

    owner = owner_with_software()
    sitting = sitting_answered(owner)
    # A scale added without items yet is scored 0, then deleted as a mistake.
    extra = Scale.objects.create(
        instrument=sitting.instrument, code="X", name="Extra", description="-", position=99
    )
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)
    sitting_score(sitting_id=sitting.pk)
    extra.delete()

    [exported] = personal_data.export(owner)["sittings"]

    assert exported["result"]["scores"]["X"] == 0
    assert exported["result"]["scores"]["Realistic"] == 16
    assert exported["result"]["ranking"][-1] == "X"


@pytest.mark.django_db
def test_erasing_removes_sittings_answers_and_results_of_that_person_only():
    owner = owner_with_software()
    sitting_scored(owner)
    sitting_answered(owner, code=VALUES)
    other = sitting_scored(owner_with_software())

    personal_data.erase(owner)

    assert not Sitting.objects.filter(user=owner).exists()
    assert list(Sitting.objects.all()) == [other]
    assert Answer.objects.count() == 48
    assert list(Result.objects.all()) == [other.result]
    assert personal_data.export(owner) == {"sittings": []}
