import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper


class Feedback(models.Model):
    """What someone told us (P14). It becomes the company's and may be quoted in
    marketing; it appears on the success-stories page only while its author has opted
    in to that, under the name they chose, and once staff have approved it."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        REVIEWED = "reviewed", "Reviewed"
        APPROVED = "approved", "Approved"
        ARCHIVED = "archived", "Archived"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    body = models.TextField("feedback")
    # The author's separate opt-in to publication, and the name to publish it under.
    publish = models.BooleanField("publish as a success story", default=False)
    display_name = models.CharField(max_length=80, blank=True)
    publish_opted_in_at = models.DateTimeField(null=True, blank=True)
    publish_withdrawn_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # One sending of one form's content (see feedback_submit): the database keeps it
    # once however many servers the form reaches at the same moment.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            # A story taken down may be sent again from the same page and stored anew.
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=models.Q(publish_withdrawn_at__isnull=True),
                name="one_feedback_per_submission",
            )
        ]
        indexes = [
            models.Index(fields=["status", "publish", "moderated_at"]),
            # A person's feedback sent without an account is found by address (export
            # and erasure), ignoring case.
            models.Index(Upper("email"), name="feedback_email_upper"),
        ]

    def __str__(self):
        excerpt = self.body[:60] + ("…" if len(self.body) > 60 else "")
        return f"“{excerpt}”"

    @property
    def is_published(self) -> bool:
        return self.publish and self.status == self.Status.APPROVED
