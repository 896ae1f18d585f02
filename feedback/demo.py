"""Demo feedback: two published success stories and one waiting for moderation."""

from django.utils import timezone

from feedback.models import Feedback

DEMO_FEEDBACK = [
    {
        "body": "My writer asked the right questions and my new resume got me three interviews "
        "in the first fortnight. I start my new job on Monday.",
        "display_name": "Priya, Columbus",
        "status": Feedback.Status.APPROVED,
    },
    {
        "body": "The interests assessment pointed me at logistics, which I had never considered. "
        "Six months on, I love the work.",
        "display_name": "Marcus, Tacoma",
        "status": Feedback.Status.APPROVED,
    },
    {
        "body": "The questionnaire was long, but the draft that came back was worth it.",
        "display_name": "",
        "status": Feedback.Status.NEW,
    },
]


def seed() -> list[tuple[str, str]]:
    now = timezone.now()
    for item in DEMO_FEEDBACK:
        publish = bool(item["display_name"])
        Feedback.objects.get_or_create(
            body=item["body"],
            defaults={
                "publish": publish,
                "display_name": item["display_name"],
                "publish_opted_in_at": now if publish else None,
                "status": item["status"],
                "moderated_at": now if item["status"] != Feedback.Status.NEW else None,
            },
        )
    return []
