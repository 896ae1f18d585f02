from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings

from consent.models import validate_address_length
from mail.services import email_queue_from
from privacy.cookies import REMEMBERED_EMAIL_COOKIE, cookie_set

SITE_NAME = "CareerPerfect"


@dataclass(frozen=True)
class MailSite:
    """What allauth's e-mail templates read as `current_site`: a name and a domain.

    django.contrib.sites is not installed (one site, many hosts), so allauth's own
    lookup has no name to give.
    """

    name: str
    domain: str


def mail_site(request) -> MailSite:
    # The host the person used, like the links allauth builds into the same mail;
    # SITE_URL's when the mail is rendered outside a request.
    domain = request.get_host() if request is not None else urlsplit(settings.SITE_URL).netloc
    return MailSite(name=SITE_NAME, domain=domain)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # allauth's e-mail field allows 320 characters, our tables keep 254: signup cut
        # a longer address short (an account for an address nobody has) and adding one
        # was a server error on PostgreSQL. The ledger keeps the address normalized,
        # which for an international domain is longer than typed.
        email = super().clean_email(email)
        if len(email) > app_settings.EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Enter an address of at most {app_settings.EMAIL_MAX_LENGTH} characters."
            )
        validate_address_length(email)
        return email

    def is_safe_url(self, url):
        # allauth parses a "next" address with urllib, which raises on a malformed one
        # ("x://[" is enough): that made every sign-in page a server error. Such an
        # address is simply not one to go to.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def send_mail(self, template_prefix, email, context):
        # Verification and password-reset mail go through the outbound queue, so a
        # slow or failing mail service neither blocks the page nor loses the message.
        # The context allauth's own send_mail would add comes first: without it the
        # templates say "Hello from !" and leave out the address they are about.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": mail_site(request),
            **context,
        }
        email_queue_from(self.render_mail(template_prefix, email, context))

    def is_login_by_code_required(self, login):
        # A staff account with no authenticator yet: its password alone would let
        # whoever has it set up their own authenticator, and with it the admin. Until
        # one is set up, signing in also takes a code sent to the account's address.
        from careerperfect.admin_site import staff_lacks_two_factor

        if login.user is not None and staff_lacks_two_factor(login.user):
            return True
        return super().is_login_by_code_required(login)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # Only set when the visitor accepted preferences cookies; cookie_set checks.
        cookie_set(response, request, name=REMEMBERED_EMAIL_COOKIE, value=user.email)
        return response
