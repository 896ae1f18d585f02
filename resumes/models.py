import uuid

from django.conf import settings
from django.db import models

from careerperfect.append_only import AppendOnlyModel


class ResumeWorkspace(models.Model):
    """Where a customer and their writer produce one resume (or cover letter).

    Opened by a paid order line's entitlement; content is private to the owner,
    the assigned writer and staff holding view_resume_content (P10).
    """

    class Kind(models.TextChoices):
        RESUME = "resume_writing", "Resume"
        COVER_LETTER = "cover_letter", "Cover letter"

    class Status(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", "Questionnaire in progress"
        WRITING = "writing", "Your writer is working on a draft"
        DRAFT_READY = "draft_ready", "Draft ready for your review"
        REVISION_REQUESTED = "revision_requested", "Revision requested"
        DELIVERED = "delivered", "Approved and delivered"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entitlement = models.OneToOneField(
        "orders.Entitlement", on_delete=models.CASCADE, related_name="resume_workspace"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resume_workspaces"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESUME)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUESTIONNAIRE)
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_resumes",
    )
    # The draft the customer approved: the delivered resume, and the one they may send.
    final_file = models.ForeignKey(
        "ResumeFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "resume"
        verbose_name_plural = "resumes"
        permissions = [
            ("assign_writer", "Can assign a writer to a resume"),
            ("work_on_resume", "Can write the resumes assigned to them"),
            ("view_resume_content", "Can open any resume's content and files (audited)"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Questionnaire(models.Model):
    """What the customer tells their writer; saved step by step."""

    STEPS = 5
    # The answers a step needs before it counts as done (and before sending).
    REQUIRED_ANSWERS = {1: ("target_job", "industry"), 4: ("skills",)}

    workspace = models.OneToOneField(
        ResumeWorkspace, on_delete=models.CASCADE, related_name="questionnaire"
    )
    target_job = models.CharField("target job", max_length=150, blank=True)
    industry = models.CharField(max_length=150, blank=True)
    skills = models.TextField(blank=True)
    certifications = models.TextField(blank=True)
    notes = models.TextField("notes to your writer", blank=True)
    # The step numbers saved so far: the progress bar, and where to pick up again.
    saved_steps = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Questionnaire of {self.workspace}"

    def step_answered(self, step: int) -> bool:
        return all(getattr(self, name) for name in self.REQUIRED_ANSWERS.get(step, ()))

    @property
    def steps_done(self) -> int:
        return len(self.saved_steps)

    @property
    def next_step(self) -> int:
        """The first step not saved yet (the last step once all are)."""
        return next(
            (step for step in range(1, self.STEPS + 1) if step not in self.saved_steps),
            self.STEPS,
        )


class WorkEntry(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="work_entries"
    )
    job_title = models.CharField(max_length=150)
    employer = models.CharField(max_length=150)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    achievements = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_year", "id"]
        verbose_name_plural = "work entries"

    def __str__(self):
        return f"{self.job_title}, {self.employer}"


class EducationEntry(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="education_entries"
    )
    institution = models.CharField(max_length=150)
    qualification = models.CharField(max_length=150)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name_plural = "education entries"

    def __str__(self):
        return f"{self.qualification}, {self.institution}"


class ResumeFile(models.Model):
    """A document in a workspace: the customer's own resume, or a writer's draft."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", "Your current resume"
        DRAFT = "draft", "Draft"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        ODT = "odt", "OpenDocument (ODT)"
        TXT = "txt", "Plain text"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(ResumeWorkspace, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Drafts are numbered 1, 2, … per workspace; uploads have no version.
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=200)
    format = models.CharField(max_length=5, choices=Format.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True, help_text="The writer's note to the customer.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "version"],
                condition=models.Q(kind="draft"),
                name="one_number_per_draft",
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.DRAFT:
            return f"Draft {self.version}"
        return self.original_name


class ResumeEvent(AppendOnlyModel):
    """The audit trail and timeline of a workspace: every transition, who, when."""

    class Action(models.TextChoices):
        OPENED = "opened", "Workspace opened"
        QUESTIONNAIRE_SENT = "questionnaire_sent", "Questionnaire sent to the writer"
        FILE_UPLOADED = "file_uploaded", "Resume uploaded"
        FILE_DELETED = "file_deleted", "Uploaded resume deleted"
        WRITER_ASSIGNED = "writer_assigned", "Writer assigned"
        DRAFT_UPLOADED = "draft_uploaded", "Draft uploaded"
        REVISION_REQUESTED = "revision_requested", "Revision requested"
        APPROVED = "approved", "Draft approved and delivered as final"
        SHARING_AUTHORIZED = "sharing_authorized", "Sending to a recipient authorized"
        SENT_TO_RECIPIENT = "sent_to_recipient", "Resume sent to a recipient"
        SHARING_REVOKED = "sharing_revoked", "Authorization revoked"

    workspace = models.ForeignKey(ResumeWorkspace, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_after = models.CharField(max_length=20, choices=ResumeWorkspace.Status.choices)
    comment = models.TextField(blank=True)
    file = models.ForeignKey(
        ResumeFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class DisclosureAuthorization(models.Model):
    """The customer's permission to send their resume to one named recipient (P7).

    Revoking it stops every later send and every link already sent to that recipient.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        ResumeWorkspace, on_delete=models.CASCADE, related_name="authorizations"
    )
    recipient_name = models.CharField("recipient", max_length=150)
    recipient_email = models.EmailField("recipient's e-mail address")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.recipient_name} <{self.recipient_email}>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ResumeSend(models.Model):
    """One sending of a document to an authorized recipient, and its disclosure record."""

    authorization = models.ForeignKey(
        DisclosureAuthorization, on_delete=models.CASCADE, related_name="sends"
    )
    file = models.ForeignKey(ResumeFile, null=True, on_delete=models.SET_NULL, related_name="+")
    # The disclosure log outlives the workspace: it is the company's record (P7).
    disclosure = models.OneToOneField(
        "privacy.Disclosure", on_delete=models.PROTECT, related_name="resume_send"
    )
    # The e-mail to the recipient, which names the owner: cleared with the workspace.
    message = models.ForeignKey(
        "mail.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"Sent to {self.authorization.recipient_name}"
