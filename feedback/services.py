import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consent.models import email_normalize
from feedback.models import Feedback
from mail.services import email_queue

WITHDRAW_SALT = "feedback.publication-withdraw"
RESENT_WITHIN = timedelta(minutes=10)


def feedback_withdraw_token(*, feedback: Feedback) -> str:
    """A signed token that lets whoever holds it (the author, by e-mail) withdraw the
    publication of this feedback. It does not expire: the opt-in can be withdrawn at
    any time."""
    return signing.dumps(feedback.public_id.hex, salt=WITHDRAW_SALT)


def feedback_from_withdraw_token(token: str) -> Feedback | None:
    try:
        public_id = signing.loads(token, salt=WITHDRAW_SALT)
    except signing.BadSignature:
        return None
    return Feedback.objects.filter(public_id=public_id).first()


def feedback_submit(
    *,
    body: str,
    name: str = "",
    email: str = "",
    publish: bool = False,
    display_name: str = "",
    user=None,
    form_key: uuid.UUID | None = None,
) -> Feedback:
    """Store feedback. A guest who opts in to publication is e-mailed a link for
    withdrawing it, since they have no account to do it from.

    The same text from the same person again within RESENT_WITHIN, asking for the same
    publication under the same name, is the form sent twice: nothing more is stored or
    sent. So is the same content sent again with the same form_key (the key the form
    was shown with), from anyone and even at the same moment through two servers: the
    database holds one feedback per key and content. Sent again with another answer
    (publish ticked this time, another name or address, or after taking the story
    down), it is stored with what was asked for now."""
    body, name = body.strip(), name.strip()
    # One form however it was typed, the one its author's account finds it by (personal_data).
    email = email_normalize(email) if email.strip() else ""
    display_name = display_name.strip() if publish else ""
    author = _author(user=user, email=email)
    if author is not None:
        resent = Feedback.objects.filter(
            author,
            body=body,
            publish=publish,
            display_name=display_name,
            publish_withdrawn_at__isnull=True,
            created_at__gte=timezone.now() - RESENT_WITHIN,
        ).first()
        if resent is not None:
            return resent
    # Everything the person typed is the content: the page sent again with the address
    # corrected or added is another answer, stored (and its withdraw link mailed) anew.
    content = [body, str(publish), display_name, name, email]
    submission_key = uuid.uuid5(form_key, "\0".join(content)) if form_key else None
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                user=user,
                name=name,
                email=email,
                body=body,
                publish=publish,
                display_name=display_name,
                publish_opted_in_at=timezone.now() if publish else None,
                submission_key=submission_key,
            )
            if publish and user is None and feedback.email:
                _withdraw_link_email(feedback=feedback)
    except IntegrityError:
        sent = (
            submission_key
            and Feedback.objects.filter(
                submission_key=submission_key, publish_withdrawn_at__isnull=True
            ).first()
        )
        if not sent:
            raise
        return sent
    return feedback


def _author(*, user, email: str) -> Q | None:
    if user is not None:
        return Q(user=user)
    if email:
        return Q(user__isnull=True, email__iexact=email)
    return None


def _withdraw_link_email(*, feedback: Feedback) -> None:
    url = settings.SITE_URL + reverse(
        "feedback:withdraw_by_link", kwargs={"token": feedback_withdraw_token(feedback=feedback)}
    )
    email_queue(
        to=feedback.email,
        subject="Your CareerPerfect feedback: how to take it off the site",
        text=render_to_string(
            "feedback/email/withdraw_link.txt", {"feedback": feedback, "url": url}
        ),
    )


def feedback_publication_withdraw(*, feedback: Feedback) -> bool:
    """Withdraw the author's opt-in: the story leaves the public page at once.
    True when it was opted in until now."""
    return bool(
        Feedback.objects.filter(pk=feedback.pk, publish=True).update(
            publish=False, publish_withdrawn_at=timezone.now()
        )
    )


def feedback_moderate(*, feedback: Feedback, status: Feedback.Status, by) -> Feedback:
    """Move feedback through moderation (new, reviewed, approved, archived)."""
    feedback.status = status
    feedback.moderated_by = by
    feedback.moderated_at = timezone.now()
    Feedback.objects.filter(pk=feedback.pk).update(
        status=status, moderated_by=by, moderated_at=feedback.moderated_at
    )
    return feedback
