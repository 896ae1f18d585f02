"""Receiving a resume upload without keeping more of it than the limit allows.

Django's default upload handlers keep a whole upload, in memory or in a temporary
file, before any view can look at its size. The resume pages receive theirs with
ResumeUploadHandler instead, which keeps at most RESUME_UPLOAD_MAX_BYTES of a file in
memory and only counts the rest. (The rest is still read from the connection: only
the proxy's body-size limit stops a client sending it; see docs/deployment.md.)
"""

from functools import wraps
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class ResumeUploadHandler(FileUploadHandler):
    """Keeps one file of up to RESUME_UPLOAD_MAX_BYTES in memory. A larger file
    arrives with its true size and no content, for resumes.documents to refuse with
    its "too large" message; a second file in the same request is skipped."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.RESUME_UPLOAD_MAX_BYTES
        self.files = 0
        # Not `self.file`: the parser closes that of every handler when it skips a
        # file, and this buffer may be the first file's content by then.
        self.kept: BytesIO | None = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > 1:
            raise SkipFile
        self.kept = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.kept is not None:
            if start + len(raw_data) > self.limit:
                self.kept = None  # Too large: let go of what was kept, count the rest.
            else:
                self.kept.write(raw_data)
        return None

    def file_complete(self, file_size):
        content = self.kept if self.kept is not None else BytesIO()
        content.seek(0)
        return InMemoryUploadedFile(
            file=content,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def resume_upload_receiving(view):
    """Have `view` receive its uploads with ResumeUploadHandler.

    Upload handlers must be in place before anything reads the request's body, and
    CsrfViewMiddleware reads it for its check: the view is exempt from the
    middleware's check and makes the same check itself, once the handler is set.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def receiving(request, *args, **kwargs):
        request.upload_handlers = [ResumeUploadHandler(request)]
        return protected(request, *args, **kwargs)

    return csrf_exempt(receiving)
