import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http.request import split_domain_port

logger = logging.getLogger(__name__)

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #0b5cab.")
LOGO_TYPES = (".svg", ".png", ".webp")


def static_logo(path: str) -> None:
    """A logo is one of the site's own static files: served from our host, so that no
    visitor's browser asks the partner (or anyone else) for it."""
    if (
        "://" in path
        or path.startswith("/")
        # Out of the static folders, the finders refuse it with an error (a Bad Request),
        # and the manifest of production's static files knows no path with "..".
        or ".." in path.split("/")
        or not path.lower().endswith(LOGO_TYPES)
        or finders.find(path) is None
    ):
        raise ValidationError(
            "Give the path of an SVG, PNG or WebP image among the site's static files, "
            "such as partners/acme.svg."
        )


class Partner(models.Model):
    """A company co-branding some of our pages (P8). Its hosts select it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    privacy_policy_url = models.URLField()
    logo_url = models.CharField(
        "logo",
        max_length=300,
        blank=True,
        validators=[static_logo],
        help_text="The path of the logo among the site's static files, such as "
        "partners/acme.svg; it is shown beside the partner's name in the page header.",
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

    @property
    def logo_src(self) -> str:
        """The logo's address, or "" if there is none or its file has gone: a page
        never fails for want of a logo."""
        if not self.logo_url:
            return ""
        try:
            return staticfiles_storage.url(self.logo_url)
        except ValueError:
            logger.warning(
                "Partner %s: logo %s is not among the static files", self.slug, self.logo_url
            )
            return ""


def host_normalize(host: str) -> str:
    """A host as a request's is looked up: lower case, without port or final dot; ""
    when it is not a host name."""
    domain, _ = split_domain_port(host.strip())
    return domain


class PartnerHost(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(
        max_length=253,
        unique=True,
        help_text="e.g. monster.careerperfect.com (any capitals, port or final dot are left out)",
    )

    class Meta:
        ordering = ["host"]

    def __str__(self):
        return self.host

    def save(self, *args, **kwargs):
        # Hosts created without a form are stored as lookups find them, too.
        self.host = host_normalize(self.host) or self.host.strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        # Before the uniqueness check (a ModelForm runs clean() first): a host that
        # differs from another only in capitals, port or final dot is the same host.
        if self.host:
            if not host_normalize(self.host):
                raise ValidationError(
                    {"host": "Enter a host name, such as monster.careerperfect.com."}
                )
            self.host = host_normalize(self.host)
            # Every page of the main site would become the partner's: what anyone
            # enters there would be recorded as given on the partner's pages (P8).
            if self.host == host_normalize(urlsplit(settings.SITE_URL).netloc):
                raise ValidationError(
                    {"host": f"{self.host} is the host of the main site itself (SITE_URL)."}
                )


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
