"""Vietnamese phone numbers, normalised to E.164 (+84...) so staff can find people by them."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_E164_VIETNAM = re.compile(r"^\+84[1-9][0-9]{8,9}$")


def phone_normalise(raw: str) -> str:
    """'0912 345 678', '+84 912 345 678' and '84912345678' all become '+84912345678'."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84") and not digits.startswith("+"):
        digits = "+" + digits
    if not _E164_VIETNAM.match(digits):
        raise ValidationError(
            _("Số điện thoại không hợp lệ. Ví dụ đúng: 0912 345 678."), code="invalid_phone"
        )
    return digits
