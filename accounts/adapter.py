from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from mail.services import email_queue_from
from privacy.cookies import REMEMBERED_EMAIL_COOKIE, cookie_set


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # allauth's e-mail field allows 320 characters, our tables keep 254: signup cut
        # a longer address short (an account for an address nobody has) and adding one
        # was a server error on PostgreSQL.
        email = super().clean_email(email)
        if len(email) > app_settings.EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Enter an address of at most {app_settings.EMAIL_MAX_LENGTH} characters."
            )
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
        email_queue_from(self.render_mail(template_prefix, email, context))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # Only set when the visitor accepted preferences cookies; cookie_set checks.
        cookie_set(response, request, name=REMEMBERED_EMAIL_COOKIE, value=user.email)
        return response
