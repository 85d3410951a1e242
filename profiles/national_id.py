"""The national ID number (CCCD): validated, then kept only as a keyed hash + last 4 digits."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

_NATIONAL_ID = re.compile(r"^[0-9]{12}$")  # ASCII digits only: \d also matches ١٢٣


def national_id_normalise(raw: str) -> str:
    """Strip spaces and dots people type; raise ValidationError unless exactly 12 digits."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not _NATIONAL_ID.match(digits):
        raise ValidationError(
            _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."), code="invalid_national_id"
        )
    return digits


def national_id_hash(national_id: str) -> str:
    """HMAC-SHA256 with NATIONAL_ID_HASH_KEY: a lookup key that reveals nothing without it."""
    key = settings.NATIONAL_ID_HASH_KEY
    if not key:
        raise ImproperlyConfigured("NATIONAL_ID_HASH_KEY is not set.")
    return hmac.new(key.encode(), national_id.encode(), hashlib.sha256).hexdigest()
