"""django-anymail announces inbound mail by a signal; this only keeps the raw message
for the one processing pipeline (the webhook view has checked the signature before
the signal is sent)."""

from django.utils import timezone


def inbound_webhook_received(sender, event, esp_name, **kwargs):
    from mail.services import inbound_delivery_store

    inbound_delivery_store(
        raw=event.message.as_bytes(),
        received_at=timezone.now(),
        # None when the e-mail service does not report the envelope sender; "" (a
        # bounce) when it does and it was empty.
        return_path=event.message.envelope_sender,
    )
