"""Reading an inbound e-mail: is it a "remove" request, from whom, or automatic mail?

Pure functions over the raw bytes; no database. Real-world mail is often malformed,
so every header read tolerates garbage: a message that cannot be understood gives a
reason, never an exception.
"""

import base64
import binascii
import email
import email.policy
import email.quoprimime
import email.utils
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from consent.models import email_normalize

# "remove" or "unsubscribe" as a word of its own, in any case: not "removed",
# "remover" or "unsubscribed", but "remove_me" (an underscore parts words here).
# Prefixes such as "Re:", "Fwd:" or "[list]" end at a non-word character, so they
# need no stripping to be passed over. Matched in the subject's NFKC form, so that
# full-width letters (as Japanese input methods type them) count too.
REMOVE_WORD = re.compile(r"(?<![^\W_])(?:remove|unsubscribe)(?![^\W_])", re.IGNORECASE)

AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list"}
AUTOMATIC_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
# What the subscriber and inbound tables can hold (RFC 5321's limit on a path).
MAX_ADDRESS_CHARS = 254
# The <address> at the end of a From whose display name is not quoted as RFC 5322
# wants, as in `john@example.com <john@example.com>` (some mail programs send that).
TRAILING_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s]+)\s*>[\s,]*$")
COMMENT = re.compile(r"\([^()]*\)")
# The encoded text holds no "?" (RFC 2047, 2): matched lazily up to any "?=" instead,
# each "=?" never closed would scan on to the end of the header (hostile mail could
# make reading one take minutes).
ENCODED_WORD = re.compile(r"=\?(?P<charset>[^?]*)\?(?P<encoding>[qQbB])\?(?P<encoded>[^?]*)\?=")
REPORT_TYPES = {"multipart/report", "message/delivery-status", "message/disposition-notification"}
# Kept in the inbound record and the consent evidence; the rest of the header is noise.
EVIDENCE_HEADERS = (
    "Message-ID",
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Subject",
    "Return-Path",
    "Auto-Submitted",
    "Precedence",
    "Received",
    "Authentication-Results",
    "DKIM-Signature",
)
EVIDENCE_HEADER_NAMES = {name.lower() for name in EVIDENCE_HEADERS}
MAX_HEADER_CHARS = 2000
# Of an evidence header only this much is decoded: more than the part of any real
# header that is kept, and a bound on what a hostile one costs to read.
MAX_RAW_HEADER_CHARS = 8 * MAX_HEADER_CHARS


@dataclass
class ParsedMessage:
    dedupe_key: str
    message_id: str = ""
    subject: str = ""
    sender: str = ""  # normalized address from From, or "" when there is none
    date_header: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    automatic_reason: str = ""  # why it is automatic mail, "" when it is not
    sender_problem: str = ""  # why no usable sender, "" when there is one

    asks_removal: bool = False  # "remove" anywhere in the whole subject


def _from_8bit(value: str) -> str:
    """Header text that arrived as raw 8-bit bytes (RFC 6532 allows UTF-8 there)."""
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_header_value(value: str | None) -> str:
    """A raw header value as text: RFC 2047 decoded, unfolded, whitespace collapsed."""
    if value is None:
        return ""
    text = _from_8bit(str(value))
    if "=?" in text:
        # Unfolded first: the line break before an encoded word is not space between
        # words when plain text comes before it.
        text = _decode_encoded_words(re.sub(r"\r?\n(?=[ \t])", "", text))
    # Neither NUL nor a lone surrogate can be stored as text.
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def _decode_encoded_words(text: str) -> str:
    """Each encoded word decoded on its own, so that one with bad bytes or an unknown
    charset spoils only itself; the text between them stays exactly as it came, and
    only the space between two adjacent encoded words is dropped (RFC 2047, 6.2)."""
    pieces, end, after_word = [], 0, False
    for match in ENCODED_WORD.finditer(text):
        between = text[end : match.start()]
        if not (after_word and not between.strip()):
            pieces.append(between)
        pieces.append(_decode_word(match))
        end, after_word = match.end(), True
    pieces.append(text[end:])
    return "".join(pieces)


def _decode_word(match: re.Match) -> str:
    charset = match["charset"].split("*")[0]  # without an RFC 2231 language
    encoded = match["encoded"]
    try:
        if match["encoding"] in "qQ":
            data = email.quoprimime.header_decode(encoded).encode("latin-1")
        else:
            data = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return match[0]  # not decodable: left as it came
    if charset.lower() in ("utf-16", "utf16") and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        charset = "utf-16-be"  # Without a byte order mark, big-endian (RFC 2781, 4.3).
    try:
        return data.decode(charset, errors="replace")
    except (LookupError, UnicodeError):  # unknown, or a codec that is no charset (idna)
        return data.decode("utf-8", errors="replace")


def _raw(message: Message, name: str) -> str | None:
    """The first such header exactly as received (8-bit bytes as surrogates)."""
    name = name.lower()
    return next((str(v) for k, v in message.raw_items() if k.lower() == name), None)


def _header(message: Message, name: str) -> str:
    """The first such header, decoded ("" when absent)."""
    return _decode_header_value(_raw(message, name))


def dedupe_key_for(*, message_id: str, sender: str, raw: bytes) -> str:
    """What makes a message the same message again: its Message-ID together with its
    sender (so that two people's mail never shares one effect, should some system give
    both the same Message-ID), else its bytes."""
    if not message_id:
        return hashlib.sha256(raw).hexdigest()
    basis = f"message-id:{message_id}\nfrom:{sender}"
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def own_addresses() -> frozenset[str]:
    return _own_addresses(
        (
            settings.CONTACT_EMAIL,
            settings.DEFAULT_FROM_EMAIL,
            settings.SERVER_EMAIL,
            *settings.OWN_EMAIL_ADDRESSES,
        )
    )


@functools.cache
def _own_addresses(values: tuple[str, ...]) -> frozenset[str]:
    # Keyed by the settings' values: computed once per configuration, not per message.
    addresses = set()
    for value in values:
        _, address = email.utils.parseaddr(value)
        if address:
            try:
                addresses.add(_without_tag(email_normalize(address)))
            except ValueError:
                continue
    return frozenset(addresses)


def _without_tag(address: str) -> str:
    """The address without a +tag in its local part: admin+x@ is admin@'s mailbox."""
    local, _, domain = address.rpartition("@")
    return f"{local.split('+')[0]}@{domain}"


def _sender(message: Message) -> tuple[str, str]:
    """(normalized address, "") or ("", why there is none)."""
    # Addresses are taken from the undecoded header: an encoded display name could
    # otherwise decode to something that looks like another address.
    raw_from = _raw(message, "From")
    from_value = " ".join(_from_8bit(raw_from).split()) if raw_from is not None else ""
    if not from_value:
        return "", "no From header"
    candidates = [address for _, address in email.utils.getaddresses([from_value])]
    trailing = TRAILING_ANGLE_ADDRESS.search(from_value)
    if trailing:
        # Where the strict parser finds nothing, as with an unquoted "@" in the display
        # name: the address in angle brackets is the sender's, the name is ignored.
        candidates.append(trailing.group(1))
    for address in candidates:
        if not address or "@" not in address:
            continue
        try:
            normalized = email_normalize(address)
            validate_email(normalized)
        except (ValueError, ValidationError):
            continue
        if len(normalized) > MAX_ADDRESS_CHARS:
            continue
        return normalized, ""
    return "", f"no valid address in From: {from_value.replace(chr(0), '')[:200]}"


def _from_local_part(message: Message) -> str:
    """The local part of From's address even where it is no valid address, as in
    `Mail Delivery System <MAILER-DAEMON>`."""
    raw_from = _raw(message, "From") or ""
    trailing = TRAILING_ANGLE_ADDRESS.search(" ".join(raw_from.split()))
    address = trailing.group(1) if trailing else raw_from.strip()
    return address.split("@")[0].lower()


def _without_comments(value: str) -> str:
    # Innermost first, until none is left: comments may nest.
    while True:
        stripped = COMMENT.sub("", value)
        if stripped == value:
            return value
        value = stripped


def _automatic_reason(message: Message, sender: str, return_path: str | None) -> str:
    # Both may carry comments, as in "no (typed by a person)" (RFC 3834).
    auto_submitted = _without_comments(_header(message, "Auto-Submitted"))
    auto_submitted = auto_submitted.split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _without_comments(_header(message, "Precedence")).strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _raw(message, "X-Autoreply") is not None or _raw(message, "X-Autorespond") is not None:
        return "auto-responder header"
    if return_path is None:
        return_path = _raw(message, "Return-Path")
    if return_path is not None and return_path.strip().strip("<>").strip() == "":
        return "empty return path (a bounce or other notification)"
    content_type = message.get_content_type()
    if content_type in REPORT_TYPES:
        return f"delivery or read report ({content_type})"
    local_part = sender.split("@")[0] if sender else _from_local_part(message)
    if local_part in AUTOMATIC_LOCAL_PARTS:
        return f"sent by {local_part}"
    if sender and _without_tag(sender) in own_addresses():
        return "sent by one of our own addresses"
    return ""


def inbound_parse(raw: bytes, *, return_path: str | None = None) -> ParsedMessage:
    """Read what processing needs from a raw RFC 5322 message.

    return_path is the envelope sender when the transport knows it (a webhook);
    otherwise the Return-Path header, if any, stands for it.
    """
    # compat32 never raises on access and keeps header text as it came; decoding is
    # done by hand above so that one broken header spoils only itself. Only the header
    # matters (a report's type is in Content-Type), so the body is not parsed.
    message = BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)
    message_id = _header(message, "Message-ID").strip()
    message_id = message_id[:998]
    sender, sender_problem = _sender(message)
    headers = [
        (str(name), _decode_header_value(str(value)[:MAX_RAW_HEADER_CHARS])[:MAX_HEADER_CHARS])
        for name, value in message.raw_items()
        if str(name).lower() in EVIDENCE_HEADER_NAMES
    ]
    subject = _header(message, "Subject")
    return ParsedMessage(
        dedupe_key=dedupe_key_for(message_id=message_id, sender=sender, raw=raw),
        message_id=message_id,
        subject=subject[:998],  # as much as is kept
        asks_removal=bool(REMOVE_WORD.search(unicodedata.normalize("NFKC", subject))),
        sender=sender,
        date_header=_header(message, "Date")[:200],
        headers=headers,
        automatic_reason=_automatic_reason(message, sender, return_path),
        sender_problem=sender_problem,
    )
