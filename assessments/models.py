import secrets
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

# Every item is answered on a five-point scale stored as 1 to 5; the labels depend on
# what the instrument asks (liking an activity, or the importance of a value).
ANSWER_VALUES = (1, 2, 3, 4, 5)


class Instrument(models.Model):
    """An assessment defined as data: its scales, items and the rule that scores it."""

    class Kind(models.TextChoices):
        INTERESTS = "interests", "Interests (RIASEC): matched to occupations"
        VALUES = "values", "Work values: ranked"

    class AnswerScale(models.TextChoices):
        LIKE = "like", "Strongly dislike … Strongly like"
        IMPORTANCE = "importance", "Not important … Essential"

    code = models.SlugField(
        unique=True, help_text="Stable name sent to the scoring partner; never change it."
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    answer_scale = models.CharField(max_length=20, choices=AnswerScale.choices)
    introduction = models.TextField(help_text="Shown before the first page.")
    question = models.CharField(
        max_length=200, help_text="The question every item answers, e.g. “How would you like …”."
    )
    scoring_rule = models.TextField(help_text="How answers become scores, in plain words.")
    items_per_page = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1, "Put at least one item on a page.")]
    )
    minutes = models.PositiveSmallIntegerField(default=10, help_text="Typical time to complete.")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def answer_labels(self) -> dict[int, str]:
        return ANSWER_LABELS[self.answer_scale]


ANSWER_LABELS = {
    Instrument.AnswerScale.LIKE: {
        1: "Strongly dislike",
        2: "Dislike",
        3: "Unsure",
        4: "Like",
        5: "Strongly like",
    },
    Instrument.AnswerScale.IMPORTANCE: {
        1: "Not important",
        2: "A little important",
        3: "Fairly important",
        4: "Very important",
        5: "Essential",
    },
}


class Scale(models.Model):
    """One dimension an instrument scores, e.g. “Realistic” or “Independence”."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales")
    code = models.CharField(max_length=8, help_text="Letter or short code used in results.")
    name = models.CharField(max_length=60)
    description = models.TextField(help_text="What a high score means, shown with results.")
    position = models.PositiveSmallIntegerField(
        help_text="Also breaks ties between equal scores: the lower position comes first."
    )

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="scale_code_unique"),
            models.UniqueConstraint(
                fields=["instrument", "position"], name="scale_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Item(models.Model):
    """One statement a person answers; it counts towards exactly one scale."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(
        max_length=12, help_text="Stable name sent to the scoring partner; never change it."
    )
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_unique"),
            models.UniqueConstraint(fields=["instrument", "position"], name="item_position_unique"),
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"


def _scoring_token() -> str:
    return secrets.token_urlsafe(24)


class Sitting(models.Model):
    """One attempt at one instrument by one person."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SCORING = "scoring", "Scoring"
        DELAYED = "delayed", "Scoring delayed"
        SCORED = "scored", "Scored"

    # In URLs; the partner never sees it.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The only reference the scoring partner receives: random, linked to nothing else.
    scoring_token = models.CharField(max_length=64, unique=True, default=_scoring_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sittings"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="sittings")
    entitlement = models.ForeignKey(
        "orders.Entitlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(auto_now_add=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    scoring_attempts = models.PositiveSmallIntegerField(default=0)
    # When it was last handed to the task queue (submit, a retry, the sweep): how the
    # sweep tells a sitting lost on the way from one still waiting for its task.
    scoring_queued_at = models.DateTimeField(null=True, blank=True)
    # A worker holding the sitting for scoring; an old claim means that worker died.
    scoring_claimed_at = models.DateTimeField(null=True, blank=True)
    scoring_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "instrument"],
                condition=models.Q(status="in_progress"),
                name="one_open_sitting_per_instrument",
            )
        ]
        permissions = [
            (
                "view_private_results",
                "Can view a person's answers and results (every view is logged)",
            )
        ]

    def __str__(self):
        return f"{self.instrument} sitting {self.public_id.hex[:8]}"


class Answer(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(choices=[(value, value) for value in ANSWER_VALUES])
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitting", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5), name="answer_value_1_to_5"
            ),
        ]

    def __str__(self):
        return f"Answer to {self.item.code}"


class Result(models.Model):
    """The scores of a sitting. Private: never listed in the admin or any export."""

    sitting = models.OneToOneField(Sitting, on_delete=models.CASCADE, related_name="result")
    # {scale code: score}
    scores = models.JSONField()
    # Scale codes from highest score to lowest, ties broken by scale position.
    ranking = models.JSONField()
    # {scale code: highest score possible} when it was scored: items added to the
    # instrument since do not change what a past result was out of.
    maxima = models.JSONField(default=dict)
    provider = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Result of {self.sitting}"

    @property
    def top_code(self) -> str:
        return "".join(self.ranking[:3])


class Occupation(models.Model):
    """An occupation with its interest (Holland) code, for matching RIASEC results."""

    title = models.CharField(max_length=150)
    onet_soc = models.CharField("O*NET-SOC code", max_length=10, unique=True)
    interest_code = models.CharField(
        max_length=3, help_text="Its three strongest interest types, strongest first, e.g. “SAI”."
    )

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.interest_code})"
