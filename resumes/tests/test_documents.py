"""What an upload is, decided by its content (P10: no spoofed or hidden formats)."""

import pytest
from django.core.exceptions import ValidationError

from resumes.documents import document_identify
from resumes.tests.factories import (
    docx_bytes,
    docx_with_corrupt_part,
    odt_bytes,
    pdf_bytes,
    txt_bytes,
)


def refusal(name: str, data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        document_identify(name=name, data=data, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("resume.pdf", pdf_bytes(), "pdf"),
        ("resume.docx", docx_bytes(), "docx"),
        ("resume.odt", odt_bytes(), "odt"),
        ("resume.txt", txt_bytes(), "txt"),
        ("RESUME.PDF", pdf_bytes(), "pdf"),
    ],
)
def test_each_accepted_format_is_recognised_by_content(name, data, expected):
    document = document_identify(name=name, data=data)

    assert document.format == expected
    assert document.extension == f".{expected}"


def test_a_name_without_extension_is_judged_by_content_alone():
    assert document_identify(name="my resume", data=docx_bytes()).format == "docx"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("resume.docx", pdf_bytes()),
        ("resume.pdf", docx_bytes()),
        ("resume.txt", odt_bytes()),
    ],
)
def test_a_spoofed_extension_is_refused_with_what_the_file_really_is(name, data):
    error = refusal(name, data)

    assert error.code == "extension"
    assert "but it is a" in error.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("resume.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        ("resume.txt", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("resume.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("resume.txt", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
    ],
)
def test_other_formats_are_refused_whatever_their_name(name, data):
    error = refusal(name, data)

    assert error.code == "type"
    assert "PDF, Word (DOCX), OpenDocument (ODT) or plain text (TXT)" in error.message


def test_a_pdf_with_a_zip_archive_appended_is_refused_as_a_polyglot():
    error = refusal("resume.pdf", pdf_bytes() + docx_bytes())

    assert error.code == "polyglot"


def test_a_pdf_behind_other_bytes_is_refused_as_a_polyglot():
    # libmagic (and PDF readers) find a PDF header anywhere in the first kilobyte.
    error = refusal("resume.pdf", b"Hello there\n" + pdf_bytes())

    assert error.code == "polyglot"


def test_a_word_document_with_a_pdf_appended_is_refused_as_a_polyglot():
    error = refusal("resume.docx", docx_bytes() + pdf_bytes())

    assert error.code == "polyglot"


def test_a_word_document_behind_a_pdf_header_is_refused_as_a_polyglot():
    error = refusal("resume.pdf", b"%PDF-1.4 not really\n" + docx_bytes())

    assert error.code == "polyglot"
    assert "hides an archive" in error.message


def test_a_text_file_with_a_zip_archive_appended_is_refused():
    error = refusal("resume.txt", txt_bytes() + docx_bytes())

    assert error.code == "type"


def test_a_word_document_with_macros_is_refused():
    error = refusal("resume.docx", docx_bytes(extra_parts={"word/vbaProject.bin": "macro"}))

    assert error.code == "macros"


def test_a_truncated_word_document_is_refused_as_damaged():
    data = docx_bytes()

    error = refusal("resume.docx", data[: len(data) - 30])

    assert error.code == "damaged"


@pytest.mark.parametrize("method", [8, 12], ids=["deflate", "bzip2"])
def test_a_word_document_with_a_corrupt_compressed_part_is_refused_as_damaged(method):
    error = refusal("resume.docx", docx_with_corrupt_part(method=method))

    assert error.code == "damaged"
    assert error.message == "This document is damaged. Save it again."


def test_an_empty_file_is_refused_clearly():
    error = refusal("resume.pdf", b"")

    assert error.code == "empty"
    assert error.message == "The file is empty. Choose the file that holds your resume."


def test_an_oversize_file_is_refused_with_its_size_and_the_limit(settings):
    settings.RESUME_UPLOAD_MAX_BYTES = 1024

    error = refusal("resume.txt", b"a" * 2048)

    assert error.code == "too_large"
    assert error.message == "The file is 2.0\xa0KB; the limit is 1.0\xa0KB."


def test_the_declared_size_counts_when_only_the_first_bytes_were_read(settings):
    settings.RESUME_UPLOAD_MAX_BYTES = 1024

    error = refusal("resume.txt", b"a" * 1025, size=50 * 1024 * 1024)

    assert "50.0\xa0MB" in error.message


def test_the_limit_defaults_to_five_megabytes():
    from django.conf import settings

    assert settings.RESUME_UPLOAD_MAX_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_text_that_is_not_utf8_is_refused_with_how_to_fix_it(encoding):
    error = refusal("resume.txt", "Zoë Müller, Köln\n".encode(encoding))

    assert error.code == "encoding"
    assert "Save it as UTF-8 text" in error.message


def test_text_with_binary_bytes_is_refused():
    error = refusal("resume.txt", b"abc\x00def\x01 hello world")

    assert error.code == "type"
