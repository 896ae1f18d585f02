from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consent.models import Subject
from consent.purposes import ELECTION_TEXT, Purpose
from mail.models import Delivery, InboundMessage
from mail.services import (
    address_confirmation_from_token,
    address_confirmation_request,
    delivery_from_token,
    delivery_unsubscribe,
    removal_from_token,
    removal_undo,
)


# The mail service posts "List-Unsubscribe=One-Click" with no cookie or CSRF token
# (RFC 8058); the signed token in the URL is the authority. GET only shows a button,
# so a link scanner that follows the URL changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        delivery = delivery_from_token(token=token)
    except (signing.BadSignature, Delivery.DoesNotExist):
        return render(request, "mail/link_invalid.html", status=404)
    context = {"delivery": delivery, "purpose": delivery.campaign.get_kind_display().lower()}
    if request.method == "POST":
        context["changed"] = delivery_unsubscribe(delivery=delivery)
        return render(request, "mail/unsubscribe_done.html", context)
    return render(request, "mail/unsubscribe_confirm.html", context)


@require_http_methods(["GET", "POST"])
def keep_subscribed(request, token):
    try:
        inbound = removal_from_token(token=token)
    except signing.SignatureExpired:
        return render(request, "mail/link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, InboundMessage.DoesNotExist):
        return render(request, "mail/link_invalid.html", status=404)
    if request.method == "POST":
        restored = removal_undo(inbound=inbound)
        return render(
            request, "mail/keep_subscribed_done.html", {"inbound": inbound, "restored": restored}
        )
    return render(request, "mail/keep_subscribed_confirm.html", {"inbound": inbound})


@require_http_methods(["GET", "POST"])
def confirm_address(request, token):
    try:
        asked = address_confirmation_from_token(token=token)
    except signing.SignatureExpired:
        return _confirm_address_expired(request, token)
    except (signing.BadSignature, Subject.DoesNotExist):
        return render(request, "mail/link_invalid.html", status=404)
    context = {"subject": asked.subject}
    if request.method == "POST":
        # Only what the page showed the person: a box ticked by anyone since is not.
        shown = {purpose for purpose in request.POST.getlist("purpose") if purpose in Purpose}
        confirmed = asked.confirm(purposes=[Purpose(purpose) for purpose in shown])
        context["confirmed"] = [ELECTION_TEXT[purpose] for purpose in confirmed]
        return render(request, "mail/address_confirm_done.html", context)
    context["waiting"] = [
        {"purpose": election.purpose, "text": ELECTION_TEXT[election.purpose]}
        for election in asked.waiting()
    ]
    return render(request, "mail/address_confirm.html", context)


def _confirm_address_expired(request, token):
    # Genuine, only too old: whoever holds it may ask for a fresh link, sent to that
    # same address (at most one a day), so that a late reader loses nothing.
    try:
        asked = address_confirmation_from_token(token=token, max_age=None)
    except Subject.DoesNotExist:
        return render(request, "mail/link_invalid.html", status=404)
    if request.method == "POST":
        address_confirmation_request(email=asked.subject.email, occasion="asking for our e-mail")
    return render(
        request,
        "mail/address_confirm_expired.html",
        {"subject": asked.subject, "asked_again": request.method == "POST"},
        status=410,
    )
