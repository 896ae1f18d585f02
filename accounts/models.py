import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from careerperfect.append_only import AppendOnlyModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address (job seeker or staff)."""

    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Staff can sign in to the admin, limited by their groups."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # P15: when this person confirmed being at least settings.MINIMUM_AGE.
    age_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # One account per address whatever its case (the consent ledger files an
            # address under one subject, and sign-in matches it ignoring case); also
            # the index by which staff look people up by the address they were given.
            models.UniqueConstraint(
                Upper("email"),
                name="one_account_per_address",
                violation_error_message="This address already has an account.",
            )
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class Profile(models.Model):
    """P6: answers to the optional "help us improve" questions. Every one may be left
    blank, changed or deleted; nothing else on the site depends on them."""

    class JobType(models.TextChoices):
        FULL_TIME = "full_time", "Full-time"
        PART_TIME = "part_time", "Part-time"
        CONTRACT = "contract", "Contract or freelance"
        TEMPORARY = "temporary", "Temporary or seasonal"
        INTERNSHIP = "internship", "Internship or apprenticeship"
        REMOTE = "remote", "Remote"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    interests = models.TextField(blank=True)
    site_likes = models.TextField(blank=True)
    site_dislikes = models.TextField(blank=True)
    job_types = models.JSONField(default=list, blank=True)
    job_titles = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "“help us improve” answers"
        verbose_name_plural = "“help us improve” answers"

    def __str__(self):
        # Shown to Marketing in the admin, which reads answers without whose they are.
        return f"Answers #{self.pk}"

    def get_job_types_display(self) -> list[str]:
        labels = dict(self.JobType.choices)
        return [labels.get(value, value) for value in self.job_types]


DATA_EXPORT_STORAGE = "data_exports"  # its key in STORAGES


def data_export_storage():
    from django.core.files.storage import storages

    return storages[DATA_EXPORT_STORAGE]


class DataExport(models.Model):
    """One "Download my data" request: built by a task, downloadable by its owner only
    until it expires, then its file is deleted."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=120, blank=True)
    # The ZIP's name in the "data_exports" storage (looked up on each use, so that
    # settings and tests choose where it lives), empty once deleted.
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["queued", "building"]),
                name="one_data_export_in_progress_per_user",
            )
        ]

    def __str__(self):
        return f"Data export {self.public_id.hex[:8]} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.BUILDING}

    def is_downloadable(self, *, now) -> bool:
        return self.status == self.Status.READY and bool(self.file_name) and self.expires_at > now


class AccountErasure(AppendOnlyModel):
    """Proof that an account was erased at its owner's request. Holds no personal data:
    only the former id and the keyed digest of the address (the same digest that keeps
    the address suppressed in the consent ledger)."""

    former_user_id = models.PositiveBigIntegerField()
    email_digest = models.CharField(max_length=64, db_index=True)
    apps = models.JSONField(default=list, help_text="Apps whose personal data was erased.")
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self):
        return f"Account {self.former_user_id} erased {self.erased_at:%Y-%m-%d}"
