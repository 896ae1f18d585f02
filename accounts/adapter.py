from allauth.account.adapter import DefaultAccountAdapter

from mail.services import email_queue_from


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Verification and password-reset mail go through the outbound queue, so a
        # slow or failing mail service neither blocks the page nor loses the message.
        email_queue_from(self.render_mail(template_prefix, email, context))
