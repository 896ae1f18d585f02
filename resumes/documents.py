"""Deciding what an uploaded document is, by its content alone.

libmagic (python-magic) names the format; each format then gets a structural check
so that a file which is two formats at once (a polyglot), or a format with something
appended or prepended, is refused. The name a browser sent only has to agree.
"""

import io
import lzma
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import NoReturn

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from resumes.models import ResumeFile

Format = ResumeFile.Format

MIME_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.ODT: "application/vnd.oasis.opendocument.text",
    Format.TXT: "text/plain",
}
FORMAT_BY_MIME = {mime: format for format, mime in MIME_TYPES.items()}
EXTENSIONS = {
    Format.PDF: {".pdf"},
    Format.DOCX: {".docx"},
    Format.ODT: {".odt"},
    Format.TXT: {".txt", ".text"},
}
ACCEPTED = "PDF, Word (DOCX), OpenDocument (ODT) or plain text (TXT)"

# A document expands to far more than its compressed size, but not to this: beyond
# it a ZIP is a decompression bomb, not a resume.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000
# What reading a damaged or unusual ZIP can raise: a bad directory (BadZipFile, KeyError,
# EOFError), a member compressed by a method Python lacks (NotImplementedError, a
# RuntimeError) or whose compressed stream is corrupt: zlib.error (Deflate), OSError
# (BZIP2), LZMAError (LZMA).
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    EOFError,
    RuntimeError,
    OSError,
    zlib.error,
    lzma.LZMAError,
)
# Word files with macros (vbaProject.bin) are refused: a writer must never open one.
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
PDF_TAIL = 2048


@dataclass(frozen=True)
class Document:
    format: Format
    content_type: str
    extension: str


def _fail(message: str, code: str) -> NoReturn:
    raise ValidationError(message, code=code)


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        # libmagic finds a PDF header anywhere in the first kilobyte; readers do too,
        # which is how a PDF hides behind another format's first bytes.
        _fail("This PDF has other data in front of it. Save it again as a plain PDF.", "polyglot")
    if b"%%EOF" not in data[-PDF_TAIL:]:
        _fail(
            "This PDF is incomplete or has other data appended to it. "
            "Save it again as a plain PDF.",
            "polyglot",
        )


def _check_zip_document(data: bytes, format: Format) -> None:
    if not data.startswith(b"PK\x03\x04"):
        _fail("This document has other data in front of it. Save it again.", "polyglot")
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 > len(data):
        _fail("This document is damaged. Save it again.", "damaged")
    comment_length = int.from_bytes(data[eocd + 20 : eocd + 22], "little")
    if eocd + 22 + comment_length != len(data):
        _fail("This document has other data appended to it. Save it again.", "polyglot")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if len(members) > MAX_ZIP_MEMBERS or (
                sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
            ):
                _fail("This document is too large once unpacked.", "too_large")
            if any(PurePath(name).name.lower() in MACRO_PARTS for name in names):
                _fail(
                    "This document contains macros. Save it as a plain document without macros.",
                    "macros",
                )
            if format == Format.DOCX and "word/document.xml" not in names:
                _fail("This Word document is damaged. Save it again.", "damaged")
            if format == Format.ODT and (
                "content.xml" not in names
                or archive.read("mimetype") != MIME_TYPES[Format.ODT].encode()
            ):
                _fail("This OpenDocument file is damaged. Save it again.", "damaged")
            if archive.testzip() is not None:
                _fail("This document is damaged. Save it again.", "damaged")
    except ZIP_READ_ERRORS:
        _fail("This document is damaged. Save it again.", "damaged")


def _check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(
            "This text file is not in UTF-8. Save it as UTF-8 text, or upload a PDF.",
            "encoding",
        )
    if any(ord(char) < 32 and char not in "\t\n\r\f" for char in text):
        _fail("This text file contains binary data.", "binary")


def document_identify(*, name: str, data: bytes, size: int | None = None) -> Document:
    """The document's format, decided by its content; ValidationError if refused.

    `size` is the upload's full size when only its first bytes were read.
    """
    limit = settings.RESUME_UPLOAD_MAX_BYTES
    size = max(size or 0, len(data))
    if not size:
        _fail("The file is empty. Choose the file that holds your resume.", "empty")
    if size > limit:
        _fail(
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.",
            "too_large",
        )
    mime = magic.from_buffer(data, mime=True)
    format = FORMAT_BY_MIME.get(mime)
    if format is None:
        _fail(f"This file is not a document we accept. Upload a {ACCEPTED} file.", "type")
    if format != Format.DOCX and format != Format.ODT and zipfile.is_zipfile(io.BytesIO(data)):
        _fail(
            "This file hides an archive inside it, so we cannot accept it. "
            f"Save your resume again as a {ACCEPTED} file.",
            "polyglot",
        )
    if format == Format.PDF:
        _check_pdf(data)
    elif format == Format.TXT:
        _check_text(data)
    else:
        _check_zip_document(data, format)
    extension = PurePath(name).suffix.lower()
    if extension and extension not in EXTENSIONS[format]:
        _fail(
            f"The file's name ends in “{extension}”, but it is a {format.label} document. "
            "Check that you chose the right file, or give it the right ending.",
            "extension",
        )
    return Document(format=format, content_type=MIME_TYPES[format], extension=f".{format.value}")
