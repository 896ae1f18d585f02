"""django-anymail announces inbound mail by a signal; this only queues the raw
message for the one processing pipeline (the webhook view has checked the
signature before the signal is sent)."""

from django.utils import timezone

from mail.models import InboundMessage


def inbound_webhook_received(sender, event, esp_name, **kwargs):
    from mail.tasks import inbound_message_enqueue

    inbound_message_enqueue(
        raw=event.message.as_bytes(),
        source=InboundMessage.Source.WEBHOOK,
        received_at=timezone.now(),
        # None when the e-mail service does not report the envelope sender; "" (a
        # bounce) when it does and it was empty.
        return_path=event.message.envelope_sender,
    )
