from allauth.account.adapter import DefaultAccountAdapter

from mail.services import email_queue_from
from privacy.cookies import REMEMBERED_EMAIL_COOKIE, cookie_set


class AccountAdapter(DefaultAccountAdapter):
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
