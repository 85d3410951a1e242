"""Checks on uploaded evidence: size first, then the type read from the bytes themselves.

A file's name and the browser's Content-Type are the uploader's claims; `filetype` reads the
magic numbers, so an HTML page renamed `.pdf` is refused.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedEvidence:
    upload: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def evidence_display_name(name: str | None) -> str:
    """The uploader's file name, reduced to a harmless label: no folders, no control
    characters, at most 120 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    return cleaned[:120] or _("tệp đính kèm")


def evidence_check(upload: UploadedFile) -> CheckedEvidence:
    """Return what is known of a valid upload, or raise ValidationError in the user's language."""
    name = evidence_display_name(upload.name)
    limit = settings.EVIDENCE_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size)s, vượt giới hạn %(limit)s cho mỗi tệp.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” trống.") % {"name": name}, code="file_empty")
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_CONTENT_TYPES:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải là PDF, JPEG, PNG hoặc WebP. Hệ thống kiểm tra "
                "nội dung tệp, không chỉ đuôi tên tệp."
            )
            % {"name": name},
            code="file_type_not_allowed",
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedEvidence(
        upload=upload,
        original_name=name,
        content_type=kind.mime,
        size=size,
        sha256=digest.hexdigest(),
    )
