from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #0b5cab.")


class Partner(models.Model):
    """A company co-branding some of our pages (P8). Its hosts select it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    privacy_policy_url = models.URLField()
    logo_url = models.CharField(
        max_length=300, blank=True, help_text="A static path or https URL of the logo."
    )
    primary_colour = models.CharField(max_length=7, default="#0b5cab", validators=[hex_colour])
    # Raised whenever the co-brand notice shown on this partner's pages changes, so
    # that each record can say which notice its author saw.
    notice_version = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("export_records", "Can export a partner's co-branded records (a disclosure)"),
        ]

    def __str__(self):
        return self.name


class PartnerHost(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253, unique=True, help_text="e.g. monster.careerperfect.com")

    class Meta:
        ordering = ["host"]

    def __str__(self):
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower()
        super().save(*args, **kwargs)


class CoBrandedRegistration(models.Model):
    """An account created on a partner's pages (P8): which partner, the version of the
    co-brand notice shown, and what the person entered there (so that a partner
    export holds only that, whatever the account later becomes)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="registrations")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="co_branded_registration",
    )
    notice_version = models.PositiveIntegerField()
    email = models.EmailField()
    name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "co-branded registration"

    def __str__(self):
        return f"{self.email} on {self.partner}"
