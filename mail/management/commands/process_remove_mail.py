import logging
import mailbox
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mail.models import InboundMessage
from mail.services import inbound_message_process

logger = logging.getLogger(__name__)


def _is_maildir(path: Path) -> bool:
    return all((path / name).is_dir() for name in ("cur", "new", "tmp"))


def _messages(path: Path) -> Iterator[tuple[str, bytes | None]]:
    """(NAME, raw bytes) for every message at a path; None when it cannot be read."""
    if path.is_dir() and _is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):
            try:
                raw = box.get_bytes(key)
            except (OSError, KeyError):
                raw = None
            yield key, raw
    elif path.is_dir():
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            yield from _messages(file)
    else:
        try:
            raw = path.read_bytes()
        except OSError:
            yield path.name, None
            return
        if raw.startswith(b"From "):
            box = mailbox.mbox(path, factory=None, create=False)
            try:
                for index, key in enumerate(box.keys(), start=1):
                    yield f"{path.name}:{index}", box.get_bytes(key)
            finally:
                box.close()
        else:
            yield path.name, raw


class Command(BaseCommand):
    help = (
        "Process e-mails as if received at the contact address: .eml files, folders of "
        "them, Maildir folders and mbox files. Prints NAME<TAB>OUTCOME per message; NAME "
        "is the file name, or FILE:N for the N-th message (from 1) of an mbox file."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, **options):
        checked = [Path(path) for path in paths]
        for path in checked:
            if not path.exists():
                raise CommandError(f"No such file or folder: {path}")
        failed = []
        for path in checked:
            for name, raw in _messages(path):
                if raw is None:
                    outcome = InboundMessage.Outcome.ERROR
                    self.stderr.write(f"{name}: could not be read")
                    self.stdout.write(f"{name}\t{outcome}")
                    continue
                try:
                    inbound = inbound_message_process(raw=raw, source=InboundMessage.Source.FILE)
                except Exception as error:
                    # Nothing was recorded for it; the others still go through, and the
                    # command fails at the end so that the file is fed again.
                    logger.exception("%s could not be processed", name)
                    failed.append(name)
                    self.stderr.write(f"{name}: not processed: {type(error).__name__}: {error}")
                    self.stdout.write(f"{name}\tnot processed")
                    continue
                if inbound.reason:
                    self.stderr.write(f"{name}: {inbound.reason}")
                self.stdout.write(f"{name}\t{inbound.outcome}")
        if failed:
            raise CommandError(f"{len(failed)} message(s) not processed: {', '.join(failed)}")
