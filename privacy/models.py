from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from careerperfect.append_only import AppendOnlyModel


class PolicyVersion(models.Model):
    """One published (or draft) version of a policy document."""

    class Document(models.TextChoices):
        PRIVACY_POLICY = "privacy-policy", "Privacy policy"
        SAFE_AND_SECURE = "safe-and-secure", "Safe and secure ordering"

    document = models.CharField(max_length=30, choices=Document.choices)
    version = models.PositiveIntegerField()
    effective_date = models.DateField()
    summary = models.TextField(help_text="What changed since the previous version, in plain words.")
    body = models.TextField(
        help_text=(
            "Markdown. {{ contact_email }}, {{ contact_phone }} and {{ minimum_age }} are "
            "replaced by the site's current settings when the page is shown."
        )
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="one_number_per_version")
        ]
        permissions = [("publish_policyversion", "Can publish a policy version")]

    def __str__(self):
        return f"{self.get_document_display()} v{self.version}"


class Disclosure(AppendOnlyModel):
    """A disclosure of someone's data outside the company (P7). Written by
    privacy.services.disclosure_record only; never changed or deleted."""

    class Basis(models.TextChoices):
        AUTHORIZATION = "authorization", "The person's authorization"
        LEGAL_REQUIREMENT = "legal-requirement", "A legal requirement"
        PROTECTION = "protection", "Protection of CareerPerfect, its users or others"
        CO_BRAND = "co-brand", "Entered on a co-branded page"
        AGGREGATE = "aggregate", "Aggregate figures only (no individual's data)"

    # Room for a name and an e-mail address as the forms that name recipients take them
    # (150 + 254 characters and the brackets).
    recipient = models.CharField(max_length=500)
    data_categories = models.JSONField(default=list)
    basis = models.CharField(max_length=30, choices=Basis.choices)
    reference = models.CharField(max_length=200, blank=True)
    subjects = models.ManyToManyField("consent.Subject", blank=True, related_name="disclosures")
    # A legal requirement may forbid telling the person (e.g. a court order).
    shown_to_subject = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"To {self.recipient} ({self.get_basis_display()})"


class StaffAccess(AppendOnlyModel):
    """A staff member viewed or downloaded someone's private data (P10, P11)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "staff access"
        verbose_name_plural = "staff access log"

    def __str__(self):
        return f"{self.staff} {self.action} {self.description}"


class ServiceProvider(models.Model):
    """A company that handles data on our behalf only (P9), listed on the privacy policy."""

    class Function(models.TextChoices):
        HOSTING = "hosting", "Hosting"
        ANALYTICS = "analytics", "Analytics"
        MARKETING = "marketing", "Marketing"
        PAYMENTS = "payments", "Payments"
        CUSTOMER_SERVICE = "customer-service", "Customer service"
        EMAIL = "email", "E-mail delivery"

    name = models.CharField(max_length=120)
    function = models.CharField(max_length=30, choices=Function.choices)
    data_categories = models.CharField(
        max_length=300, help_text="What it handles, e.g. “e-mail address, order number”."
    )
    listed = models.BooleanField(default=True, help_text="Shown on the privacy policy.")

    class Meta:
        ordering = ["function", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_function_display()})"


class DailyCount(models.Model):
    """Anonymous aggregate usage (P1): how often a site area was visited or a service
    used on one day, on the main site or one partner's co-branded site. Nothing here,
    nor in the buffer it is flushed from, can tell one visitor from another."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Page visits per area"
        USE = "use", "Uses per service"

    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    site = models.CharField(
        max_length=50, blank=True, help_text="Partner slug of a co-branded site; empty: main site."
    )
    name = models.CharField(max_length=60, help_text="The site area or the service.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "kind", "site", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "site", "name"], name="one_count_per_day_and_name"
            )
        ]
        permissions = [("export_partner_report", "Can export the aggregate partner report")]
        verbose_name = "usage count"
        verbose_name_plural = "usage analytics"

    def __str__(self):
        return f"{self.day} {self.kind} {self.site or 'main'}/{self.name}: {self.count}"


class FileDeletion(models.Model):
    """A stored file whose record is gone and which must leave storage too: written in
    the same transaction that deletes the record, removed once the file is deleted.
    A file the storage refused, or one a process died before deleting, stays listed
    here and is tried again (privacy.services.file_deletions_retry)."""

    storage = models.CharField(max_length=40, help_text="Its storage, a key of STORAGES.")
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["storage", "name"], name="one_deletion_per_file")
        ]
        verbose_name = "file awaiting deletion"
        verbose_name_plural = "files awaiting deletion"

    def __str__(self):
        return f"{self.storage}: {self.name}"


class FlushedBatch(models.Model):
    """A batch of buffered usage counts that a flush added to DailyCount, recorded in
    the same transaction: a batch a killed flush left pending in the buffer is added
    by the next flush only if its id is not here (privacy.services.analytics_flush)."""

    id = models.CharField(max_length=32, primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "flushed usage-count batch"
        verbose_name_plural = "flushed usage-count batches"

    def __str__(self):
        return self.id
