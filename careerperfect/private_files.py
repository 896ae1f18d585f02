"""Files that belong to one person: stored outside any URL, served only by views.

Views decide who may have a file; this module only stores it under a random name and
turns it into a download response that no browser will render in the site's origin.
"""

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


class PrivateStorage(FileSystemStorage):
    """A filesystem storage with no public URL, readable by this process only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name):
        raise NotImplementedError("Private files have no URL; serve them through a view.")


PRIVATE_STORAGE = "private"  # its key in STORAGES


def private_storage():
    return storages[PRIVATE_STORAGE]


def private_file_save(*, folder: str, content: bytes) -> str:
    """Store bytes under a random name in folder; return the storage name."""
    # The name carries nothing of the person or their file, and cannot be guessed.
    return private_storage().save(f"{folder}/{secrets.token_hex(16)}", ContentFile(content))


def private_file_store(*, folder: str, file) -> str:
    """Store an uploaded file under a random name in folder, streaming it rather than
    reading it whole (it may be large); return the storage name."""
    file.seek(0)
    return private_storage().save(f"{folder}/{secrets.token_hex(16)}", file)


def private_file_delete(*, name: str) -> None:
    private_storage().delete(name)


def private_file_read(*, name: str) -> bytes:
    with private_storage().open(name, "rb") as file:
        return file.read()


def private_file_response(*, name: str, filename: str, content_type: str) -> HttpResponse:
    """An attachment download of a stored private file.

    With PRIVATE_MEDIA_ACCEL_REDIRECT set, the body is left to the front proxy
    (X-Accel-Redirect to an internal location); otherwise Django streams it.
    """
    if settings.PRIVATE_MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_MEDIA_ACCEL_REDIRECT.rstrip("/") + (
            "/" + name
        )
    else:
        response = FileResponse(private_storage().open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Personal files must not linger in shared caches or the browser's cache.
    response["Cache-Control"] = "private, no-store"
    return response
