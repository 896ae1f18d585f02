"""The mail app's part of "download my data" and "delete my account"."""

from functools import reduce
from operator import or_

from allauth.account.models import EmailAddress
from django.db.models import Q

from consent.models import email_normalize
from consent.selectors import consent_removal_messages
from mail.inbound import inbound_parse
from mail.models import Delivery, InboundDelivery, InboundMessage, OutboundMessage
from mail.services import outbound_messages_clear


def _addresses(user) -> set[str]:
    """The person's own addresses: the account's and those they confirmed. An address
    merely typed into the account proves nothing, so its mail stays its owner's."""
    addresses = {user.email}
    addresses |= set(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    # Mail to an international domain is filed under its ASCII form.
    return addresses | {email_normalize(address) for address in addresses}


def _to_any_of(field: str, addresses: set[str]) -> Q:
    # Case-insensitive: a guest's checkout keeps the address as they typed it.
    return reduce(or_, (Q(**{f"{field}__iexact": address}) for address in addresses))


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
            for inbound in InboundMessage.objects.filter(_to_any_of("from_address", addresses))
        ],
        "campaign_emails": [
            {
                "campaign": delivery.campaign.subject,
                "kind": delivery.campaign.kind,
                "to": delivery.email,
                "status": delivery.status,
                "at": delivery.updated_at.isoformat(),
            }
            for delivery in Delivery.objects.filter(_to_any_of("email", addresses)).select_related(
                "campaign"
            )
        ],
        "emails_sent": [
            {
                "to": message.to,
                "subject": message.subject,
                "kind": message.kind,
                "status": message.status,
                "created_at": message.created_at.isoformat(),
                # What it said, while we keep that (OUTBOUND_MAIL_KEEP_DAYS); empty after.
                "text": message.text,
            }
            for message in OutboundMessage.objects.filter(_to_any_of("to", addresses))
        ],
    }


def erase(user) -> None:
    """Forget the addresses in mail records; the consent ledger's hashed suppression
    (kept by the privacy app's erasure) is what keeps a removed address removed."""
    addresses = _addresses(user)
    InboundMessage.objects.filter(_to_any_of("from_address", addresses)).update(
        from_address="", subject="", headers=[], message_id="", withdrawn=[]
    )
    # A "remove" sent from another address (since taken off the account) names the
    # account among what it stopped: that entry goes, so its "this wasn't me" link
    # cannot restore anything of theirs either.
    own = {address.lower() for address in addresses}
    for inbound in InboundMessage.objects.filter(
        pk__in=consent_removal_messages(emails=addresses)
    ).only("withdrawn"):
        kept = [
            item
            for item in inbound.withdrawn
            if item["user"] != user.pk and (item["email"] or "").lower() not in own
        ]
        if kept != inbound.withdrawn:
            InboundMessage.objects.filter(pk=inbound.pk).update(withdrawn=kept)
    for delivery in Delivery.objects.filter(_to_any_of("email", addresses)).only("pk"):
        # One placeholder per delivery: (campaign, address) is unique.
        Delivery.objects.filter(pk=delivery.pk).update(email=f"erased-{delivery.pk}@invalid")
    # Webhook mail from them still waiting for a worker (seconds, normally): what a
    # "remove" among it would do, the erasure's suppression does already.
    own_senders = {email_normalize(address) for address in addresses}
    for pk, raw in InboundDelivery.objects.values_list("pk", "raw"):
        if inbound_parse(bytes(raw)).sender in own_senders:
            InboundDelivery.objects.filter(pk=pk).delete()
    sent_to_them = OutboundMessage.objects.filter(_to_any_of("to", addresses))
    # Mail still waiting to leave is not sent at all.
    outbound_messages_clear(message_ids=sent_to_them.values_list("pk", flat=True))
    sent_to_them.update(to="erased@invalid")
