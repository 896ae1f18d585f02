import uuid

from django.conf import settings
from django.db import models


class Contest(models.Model):
    """A contest staff run, optionally co-sponsored by a partner (P8): then entrants
    see a notice naming the partner, and the partner may receive the entries."""

    title = models.CharField(max_length=150)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=250)
    description = models.TextField(help_text="Rules and how the winner is chosen, in plain text.")
    prize = models.CharField(max_length=200)
    # P3: a postal address is asked only of entrants of a contest whose prize is posted.
    prize_is_posted = models.BooleanField(
        "the prize is sent by post",
        default=True,
        help_text="Untick when the prize is digital (a licence, a service, a download) and "
        "the winner is told by e-mail: entrants are then asked no postal address.",
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name="co-sponsor",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        permissions = [("export_entries", "Can export a contest's entries to its co-sponsor")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="contest_closes_after_it_opens",
            )
        ]

    def __str__(self):
        return self.title

    def is_open(self, *, now) -> bool:
        return self.opens_at <= now < self.closes_at


# What an entry keeps of its postal address, when the prize is posted.
POSTAL_ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)


class ContestEntry(models.Model):
    """One entry (P3: the only personal data a contest asks for; the postal address only
    when the prize is posted, and blank otherwise)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contest_entries",
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(help_text="Stored normalized (lower case).")
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address, line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state, province or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    age_confirmed_at = models.DateTimeField()
    # P8: the co-sponsor whose notice the entrant saw, and which version of it.
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    # P8: the partner whose site the entry was made on, and the version of its notice
    # shown; the entry is one of the records that partner's export holds.
    site_partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_entries",
    )
    site_notice_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "contest entries"
        constraints = [
            models.UniqueConstraint(fields=["contest", "email"], name="one_entry_per_address")
        ]

    def __str__(self):
        return f"{self.name} in {self.contest}"
