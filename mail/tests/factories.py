from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def raw_email(
    *,
    sender: str = "Jordan Seeker <jobseeker@example.com>",
    subject: str = "remove",
    message_id: str | None = "auto",
    headers: dict | None = None,
    body: str = "Please stop.",
) -> bytes:
    """A well-formed message as an MTA would hand it to us."""
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "CareerPerfect <admin@careerperfect.localhost>"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id == "auto":
        message_id = make_msgid(domain="mail.example.com")
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
