"""The assessments part of a person's data: their sittings, answers and results.

Results are private (P11): this export, made for the person themselves, is the only
export they appear in.
"""

from assessments.models import Instrument, Sitting
from assessments.services import sittings_erase
from privacy.selectors import staff_accesses_of


def _when(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    sittings = (
        Sitting.objects.filter(user=user)
        .select_related("instrument", "result")
        .prefetch_related("answers__item__scale", "instrument__scales")
        .order_by("started_at")
    )
    entries = []
    for sitting in sittings:
        labels = sitting.instrument.answer_labels
        answers = sorted(sitting.answers.all(), key=lambda answer: answer.item.position)
        entry = {
            "instrument": sitting.instrument.name,
            "instrument_code": sitting.instrument.code,
            "status": sitting.get_status_display(),
            "started_at": _when(sitting.started_at),
            "last_saved_at": _when(sitting.last_saved_at),
            "submitted_at": _when(sitting.submitted_at),
            "scored_at": _when(sitting.scored_at),
            "answers": [
                {
                    "item": answer.item.code,
                    "statement": answer.item.text,
                    "counts_towards": answer.item.scale.name,
                    "answer": labels[answer.value],
                    "value": answer.value,
                    "answered_at": _when(answer.answered_at),
                }
                for answer in answers
            ],
            "result": None,
            "staff_views": staff_accesses_of(objects=[sitting]),
        }
        result = getattr(sitting, "result", None)
        if result is not None:
            # A scale deleted or given another code since keeps the code it was scored by.
            names = {scale.code: scale.name for scale in sitting.instrument.scales.all()}
            entry["result"] = {
                "scores": {names.get(code, code): score for code, score in result.scores.items()},
                "ranking": [names.get(code, code) for code in result.ranking],
                "scored_by": result.provider,
            }
            if sitting.instrument.kind == Instrument.Kind.INTERESTS:
                entry["result"]["interest_code"] = result.top_code
        entries.append(entry)
    return {"sittings": entries}


def erase(user) -> None:
    sittings_erase(user=user)
