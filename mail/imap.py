"""Polling the contact mailbox over IMAP (P5).

Each message not yet handled is fetched without marking it read, processed and
committed; only then is it flagged in the mailbox. A worker killed mid-way leaves
the message unflagged, so the next poll processes it again, and the inbound record's
unique key turns that second run into a duplicate rather than a second effect.
Mail that is not a "remove" request stays unread for people to answer.
"""

import imaplib
import logging
import re
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mail.models import InboundMessage

logger = logging.getLogger(__name__)

# Set on every message the poller has handled; the next poll searches for its absence.
PROCESSED_KEYWORD = "CareerPerfectProcessed"
BATCH_SIZE = 200
INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    tls: bool
    user: str
    password: str
    mailbox: str


def imap_config_parse(url: str) -> ImapConfig:
    """imaps://user:password@host[:port]/MAILBOX (imap:// for plain, local servers)."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname or not parts.username:
        raise ImproperlyConfigured(
            "IMAP_URL must look like imaps://user:password@host[:port]/INBOX."
        )
    tls = parts.scheme == "imaps"
    return ImapConfig(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        tls=tls,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
    )


@contextmanager
def imap_connect(config: ImapConfig, *, timeout: float = 30):
    if config.tls:
        imap = imaplib.IMAP4_SSL(
            config.host, config.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        imap = imaplib.IMAP4(config.host, config.port, timeout=timeout)
    try:
        imap.login(config.user, config.password)
        # What the server can do once logged in (MOVE, UIDPLUS) may differ from before.
        capabilities = _check(imap.capability())[-1]
        imap.capabilities = tuple(capabilities.decode().upper().split())
        yield imap
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed", exc_info=True)


def _check(result: tuple) -> list:
    status, data = result
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP command failed: {status} {data!r}")
    return data


def _fetched(data: list) -> tuple[bytes, datetime | None]:
    for part in data:
        if isinstance(part, tuple):
            meta, raw = part
            match = INTERNALDATE.search(meta)
            received = None
            if match:
                received = datetime.strptime(
                    match.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z"
                )
            return raw, received
    raise imaplib.IMAP4.error(f"IMAP FETCH returned no message: {data!r}")


def _is_handled_removal(inbound: InboundMessage) -> bool:
    """A "remove" request we acted on (now or in an earlier run): no one needs to read it."""
    return InboundMessage.objects.filter(
        dedupe_key=inbound.dedupe_key, outcome=InboundMessage.Outcome.OPTED_OUT
    ).exists()


def _require_keywords(imap) -> None:
    """Stop with a clear message when the mailbox cannot keep our keyword: without it
    nothing would mark a message done, and every poll would fetch it again. (Servers
    that allow no keywords of their own, as some hosted ones, say so in PERMANENTFLAGS.)"""
    _, data = imap.response("PERMANENTFLAGS")
    flags = b" ".join(part for part in data if isinstance(part, bytes))
    if not flags:
        return  # Not announced: every flag is permanent.
    if b"\\*" not in flags and PROCESSED_KEYWORD.encode() not in flags:
        raise ImproperlyConfigured(
            f"The IMAP mailbox does not let us set the keyword {PROCESSED_KEYWORD} "
            f"(PERMANENTFLAGS {flags.decode(errors='replace')}): use a server or mailbox "
            "that allows keywords of their own, such as Dovecot's or Gmail's."
        )


def imap_mailbox_poll(*, url: str | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Process the messages of the mailbox not handled yet; return how many."""
    from mail.services import inbound_message_process

    url = url if url is not None else settings.IMAP_URL
    if not url:
        return 0
    config = imap_config_parse(url)
    handled = 0
    with imap_connect(config) as imap:
        _check(imap.select(_quoted(config.mailbox)))
        _require_keywords(imap)
        uids = _check(imap.uid("SEARCH", "UNKEYWORD", PROCESSED_KEYWORD))[0].split()
        for uid in uids[:batch_size]:
            raw, received_at = _fetched(
                _check(imap.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])"))
            )
            try:
                inbound = inbound_message_process(
                    raw=raw, source=InboundMessage.Source.IMAP, received_at=received_at
                )
            except SoftTimeLimitExceeded:
                # Out of time: this poll stops here, the next goes on from this message.
                raise
            except Exception:
                # Left unflagged: the next poll tries it again; the others go on.
                logger.exception("IMAP message %s could not be processed", uid.decode())
                continue
            # The inbound record is committed: only now is the message marked.
            flags = PROCESSED_KEYWORD
            done = _is_handled_removal(inbound)
            if done:
                flags += r" \Seen"
            _check(imap.uid("STORE", uid, "+FLAGS.SILENT", f"({flags})"))
            if done and settings.IMAP_DONE_FOLDER:
                _move(imap, uid, settings.IMAP_DONE_FOLDER)
            handled += 1
    return handled


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _move(imap: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    if "MOVE" in imap.capabilities:
        _check(imap.uid("MOVE", uid, _quoted(folder)))
        return
    _check(imap.uid("COPY", uid, _quoted(folder)))
    _check(imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"))
    # A plain EXPUNGE would also remove what people marked deleted: only by UID.
    if "UIDPLUS" in imap.capabilities:
        _check(imap.uid("EXPUNGE", uid))
