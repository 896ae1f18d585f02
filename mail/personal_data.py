"""The mail app's part of "download my data" and "delete my account"."""

from allauth.account.models import EmailAddress

from mail.models import Delivery, InboundMessage, OutboundMessage


def _addresses(user) -> set[str]:
    addresses = {user.email.lower()}
    addresses |= {
        email.lower()
        for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return addresses


def export(user) -> dict:
    addresses = _addresses(user)
    return {
        "remove_emails_received": [
            {
                "received_at": inbound.received_at.isoformat(),
                "from": inbound.from_address,
                "subject": inbound.subject,
                "message_id": inbound.message_id,
                "outcome": inbound.outcome,
                "reason": inbound.reason,
            }
            for inbound in InboundMessage.objects.filter(from_address__in=addresses)
        ],
        "campaign_emails": [
            {
                "campaign": delivery.campaign.subject,
                "kind": delivery.campaign.kind,
                "to": delivery.email,
                "status": delivery.status,
                "at": delivery.updated_at.isoformat(),
            }
            for delivery in Delivery.objects.filter(email__in=addresses).select_related("campaign")
        ],
        "emails_sent": [
            {
                "to": message.to,
                "subject": message.subject,
                "kind": message.kind,
                "status": message.status,
                "created_at": message.created_at.isoformat(),
            }
            for message in OutboundMessage.objects.filter(to__in=addresses)
        ],
    }


def erase(user) -> None:
    """Forget the addresses in mail records; the consent ledger's hashed suppression
    (kept by the privacy app's erasure) is what keeps a removed address removed."""
    addresses = _addresses(user)
    InboundMessage.objects.filter(from_address__in=addresses).update(
        from_address="", subject="", headers=[], message_id="", withdrawn=[]
    )
    for delivery in Delivery.objects.filter(email__in=addresses).only("pk"):
        # One placeholder per delivery: (campaign, address) is unique.
        Delivery.objects.filter(pk=delivery.pk).update(email=f"erased-{delivery.pk}@invalid")
    OutboundMessage.objects.filter(to__in=addresses).update(
        to="erased@invalid", subject="", text="", html="", headers={}
    )
