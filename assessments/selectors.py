"""Reads for the assessments: what a person may take, pages, progress and results."""

import math
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from assessments.models import Instrument, Item, Occupation, Result, Scale, Sitting
from assessments.scoring import ScoringKey
from orders.models import Entitlement, Product
from orders.selectors import product_list_active

OCCUPATIONS_SHOWN = 20
# Weights of the first, second and third letters of an interest code when matching.
CODE_WEIGHTS = (3, 2, 1)


def assessments_entitlement(*, user) -> Entitlement | None:
    """The person's active entitlement to the assessments, from a paid software order."""
    if not user.is_authenticated:
        return None
    return (
        Entitlement.objects.filter(
            user=user, kind=Entitlement.Kind.ASSESSMENTS, revoked_at__isnull=True
        )
        .order_by("created_at")
        .first()
    )


def assessments_product() -> Product | None:
    """The product in the shop that brings the assessments: the career-planning
    software on its own (see orders.services.ENTITLEMENTS_BY_PRODUCT_KIND), the
    cheapest when there are several, or None when none is on sale."""
    return (
        product_list_active()
        .prefetch_related(None)
        .filter(kind=Product.Kind.SOFTWARE)
        .order_by("price_minor", "pk")
        .first()
    )


def sitting_get_for_owner(*, user, public_id) -> Sitting:
    """The sitting if it is this person's own; 404 for anyone else's, or none at all."""
    try:
        return Sitting.objects.select_related("instrument").get(public_id=public_id, user=user)
    except Sitting.DoesNotExist:
        raise Http404("No such assessment.") from None


PRIVATE_RESULTS_PERMISSION = "assessments.view_private_results"


def staff_can_view_private_results(*, user) -> bool:
    """Staff who may open a person's answers and result: active staff holding the
    permission. A group's permission outlives "staff status", which is how access is
    taken away (and what two-factor authentication is asked of)."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.is_active
        and user.has_perm(PRIVATE_RESULTS_PERMISSION)
    )


def sitting_get_for_staff(*, public_id) -> Sitting:
    try:
        return Sitting.objects.select_related("instrument", "user").get(public_id=public_id)
    except Sitting.DoesNotExist:
        raise Http404("No such assessment.") from None


@dataclass(frozen=True)
class InstrumentOverview:
    instrument: Instrument
    open_sitting: Sitting | None
    finished: list[Sitting]


def instruments_overview(*, user) -> list[InstrumentOverview]:
    """Each active instrument, and each withdrawn one the person took, with this
    person's open sitting and finished ones."""
    sittings = (
        Sitting.objects.filter(user=user)
        .annotate(answer_count=Count("answers"))
        .order_by("-started_at")
    )
    taken = Sitting.objects.filter(user=user).values("instrument")
    instruments = (
        Instrument.objects.filter(Q(active=True) | Q(pk__in=taken))
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("sittings", queryset=sittings, to_attr="own_sittings"))
    )
    overview = []
    for instrument in instruments:
        open_sitting = next(
            (s for s in instrument.own_sittings if s.status == Sitting.Status.IN_PROGRESS), None
        )
        finished = [s for s in instrument.own_sittings if s.status != Sitting.Status.IN_PROGRESS]
        overview.append(InstrumentOverview(instrument, open_sitting, finished))
    return overview


@dataclass(frozen=True)
class SittingPage:
    number: int
    count: int
    items: list[Item]
    answers: dict[int, int]  # item id → value, for this page's items
    answered: int  # in the whole sitting
    total: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def is_last(self) -> bool:
        return self.number == self.count


def sitting_page_count(*, sitting: Sitting, total: int) -> int:
    return max(1, math.ceil(total / sitting.instrument.items_per_page))


def sitting_page(*, sitting: Sitting, number: int) -> SittingPage:
    """One page of items with the answers given so far; 404 past the last page."""
    per_page = sitting.instrument.items_per_page
    items = list(sitting.instrument.items.order_by("position"))
    count = sitting_page_count(sitting=sitting, total=len(items))
    if not 1 <= number <= count:
        raise Http404("No such page.")
    page_items = items[(number - 1) * per_page : number * per_page]
    given = dict(sitting.answers.values_list("item_id", "value"))
    return SittingPage(
        number=number,
        count=count,
        items=page_items,
        answers={item.id: given[item.id] for item in page_items if item.id in given},
        answered=len(given),
        total=len(items),
    )


def sitting_resume_page(*, sitting: Sitting) -> int:
    """The page holding the first unanswered item (the last page when all are answered)."""
    item_ids = list(sitting.instrument.items.values_list("id", flat=True))
    answered = set(sitting.answers.values_list("item_id", flat=True))
    per_page = sitting.instrument.items_per_page
    for index, item_id in enumerate(item_ids):
        if item_id not in answered:
            return index // per_page + 1
    return sitting_page_count(sitting=sitting, total=len(item_ids))


def sitting_unanswered_pages(*, sitting: Sitting) -> list[int]:
    item_ids = list(sitting.instrument.items.values_list("id", flat=True))
    answered = set(sitting.answers.values_list("item_id", flat=True))
    per_page = sitting.instrument.items_per_page
    return sorted(
        {index // per_page + 1 for index, item in enumerate(item_ids) if item not in answered}
    )


def scoring_key(*, instrument: Instrument) -> ScoringKey:
    scales = list(instrument.scales.order_by("position").values_list("id", "code"))
    code_of = dict(scales)
    return ScoringKey(
        instrument_code=instrument.code,
        scale_codes=tuple(code for _, code in scales),
        item_scales={
            code: code_of[scale_id]
            for code, scale_id in instrument.items.values_list("code", "scale_id")
        },
    )


def sitting_answers_by_code(*, sitting: Sitting) -> dict[str, int]:
    return dict(sitting.answers.values_list("item__code", "value"))


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    score: int
    maximum: int
    rank: int

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.maximum) if self.maximum else 0


@dataclass(frozen=True)
class OccupationMatch:
    occupation: Occupation
    strength: int


@dataclass(frozen=True)
class ResultReport:
    result: Result
    scores: list[ScaleScore]  # in the instrument's order, for the chart and table
    ranked: list[ScaleScore]  # highest first
    top_code: str
    occupations: list[OccupationMatch]


def result_report(*, sitting: Sitting) -> ResultReport:
    result = Result.objects.get(sitting=sitting)
    # The scales it was scored on: one added to the instrument since is not in it.
    scales = [
        scale
        for scale in sitting.instrument.scales.order_by("position")
        if scale.code in result.scores
    ]
    key = scoring_key(instrument=sitting.instrument)
    rank_of = {code: index for index, code in enumerate(result.ranking, start=1)}
    scores = [
        ScaleScore(
            scale=scale,
            score=result.scores[scale.code],
            # Results scored before maxima were kept are out of today's maximum.
            maximum=result.maxima.get(scale.code) or key.maximum(scale.code),
            rank=rank_of[scale.code],
        )
        for scale in scales
    ]
    occupations = []
    if sitting.instrument.kind == Instrument.Kind.INTERESTS:
        occupations = occupation_matches(code=result.top_code)
    return ResultReport(
        result=result,
        scores=scores,
        ranked=sorted(scores, key=lambda row: row.rank),
        top_code=result.top_code,
        occupations=occupations,
    )


def code_match_strength(person_code: str, occupation_code: str) -> int:
    """Shared letters weighted by their places in both codes (see riasec-interests.toml)."""
    weight = {letter: CODE_WEIGHTS[i] for i, letter in enumerate(occupation_code[:3])}
    return sum(CODE_WEIGHTS[i] * weight.get(letter, 0) for i, letter in enumerate(person_code[:3]))


def occupation_matches(*, code: str, limit: int = OCCUPATIONS_SHOWN) -> list[OccupationMatch]:
    matches = [
        OccupationMatch(occupation, code_match_strength(code, occupation.interest_code))
        for occupation in Occupation.objects.all()
    ]
    matches = [match for match in matches if match.strength > 0]
    matches.sort(key=lambda match: (-match.strength, match.occupation.title))
    return matches[:limit]
