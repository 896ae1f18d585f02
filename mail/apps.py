from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Mail"

    def ready(self):
        from anymail.signals import inbound

        from mail.receivers import inbound_webhook_received

        inbound.connect(inbound_webhook_received, dispatch_uid="mail.inbound_webhook_received")
