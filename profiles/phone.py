"""Vietnamese phone numbers: checked against Vietnam's numbering plan, stored in E.164.

Every form, API, look-up and import of the platform goes through this module, so a number
typed in any accepted way (``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``,
``84912345678``, ``+84 0912 345 678``, full-width or Arabic-Indic digits, or an old
``0162 xxx xxxx`` number) names the same person.

Standards followed:

- ITU-T Recommendation E.164: the stored form is ``+84`` followed by the national significant
  number (no trunk ``0``), e.g. ``+84912345678``.
- Vietnam's numbering plan as kept by libphonenumber (``phonenumbers``): a number is accepted
  only if ``phonenumbers.is_valid_number`` says it exists and it is a mobile or fixed-line
  number (a person's own line). Toll-free (1800), premium (1900), VoIP and other service
  numbers are refused: they do not identify a person.
- The 2018 mobile renumbering (Bộ Thông tin và Truyền thông, Quyết định 798/QĐ-BTTTT, in force
  from 15 September 2018): 11-digit mobile numbers (``01xx xxx xxxx``) became 10-digit ones
  (``0162`` -> ``032`` ...). Old numbers are converted to today's number; the caller can show
  :meth:`PhoneNumber.note` to say so.

Why fixed lines are accepted: the regex used before accepted them (9 and 10 digit national
numbers), and an older learner may have only the household's landline; it is enough to find
them at the counter and for a household invitation (the code is passed on by voice).
SMS cannot reach a fixed line: ``PhoneNumber.is_mobile`` / :func:`phone_is_mobile` tell.
"""

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REGION = "VN"
COUNTRY_CODE = "84"
# Longer than anything a person types for one number, with spaces; the cap keeps a pasted
# paragraph from being examined character by character.
RAW_MAX_LENGTH = 40

# Quyết định 798/QĐ-BTTTT (2018): old 11-digit mobile prefix -> today's prefix, both written
# as national significant numbers (without the trunk 0): 0162 xxx xxxx -> 032 xxx xxxx.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    "162": "32",
    "163": "33",
    "164": "34",
    "165": "35",
    "166": "36",
    "167": "37",
    "168": "38",
    "169": "39",
    "186": "56",
    "188": "58",
    "199": "59",
}
OLD_MOBILE_NATIONAL_LENGTH = 10  # 1xx xxx xxxx without the trunk 0

_PERSONAL_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed_line",
    # libphonenumber uses this when a range could be either; Vietnam's plan separates them,
    # but accept it rather than refuse a real number after a metadata update.
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
}
_SEPARATORS = frozenset(".()/")

EXAMPLE = "0912 345 678"


def _refusal(message: "_StrPromise") -> ValidationError:
    return ValidationError(message, code="invalid_phone")


def _invalid() -> ValidationError:
    return _refusal(
        _(
            "Số điện thoại không có trong kế hoạch đánh số của Việt Nam. Hãy kiểm tra lại: "
            "số di động gồm 10 chữ số, ví dụ 0912 345 678; số cố định gồm cả mã vùng, "
            "ví dụ 024 3825 1234."
        )
    )


@dataclass(frozen=True)
class PhoneNumber:
    """A valid Vietnamese phone number.

    ``e164``: the stored form, ``+84912345678``. ``kind``: ``"mobile"`` or ``"fixed_line"``.
    ``converted_from``: for a number of the pre-2018 11-digit mobile plan, the old number as
    it was written nationally (``"0162 912 3456"``); ``""`` otherwise.
    """

    e164: str
    kind: str
    converted_from: str = ""

    @property
    def national(self) -> str:
        """As people in Vietnam write it: ``0912 345 678``, ``024 3825 1234``."""
        return phone_display(self.e164)

    @property
    def is_mobile(self) -> bool:
        return self.kind == "mobile"

    @property
    def note(self) -> str:
        """What to tell the person when an old number was converted ("" otherwise), in the
        active language."""
        if not self.converted_from:
            return ""
        return str(
            _("Số cũ %(old)s đã được đổi sang %(new)s từ năm 2018; chúng tôi lưu số mới.")
            % {"old": self.converted_from, "new": self.national}
        )


def _digits(raw: str) -> str:
    """``raw`` reduced to an optional leading ``+`` and ASCII digits; raises ValidationError
    for anything that is not a digit or a separator."""
    text = unicodedata.normalize("NFKC", raw).strip()
    kept: list[str] = []
    for index, character in enumerate(text):
        digit = unicodedata.decimal(character, None)
        if digit is not None:
            kept.append(str(digit))
        elif character == "+" and index == 0:
            kept.append("+")
        elif (
            character in _SEPARATORS
            or unicodedata.category(character) in ("Zs", "Pd")
            or character in "\t"
        ):
            continue
        else:
            raise _refusal(
                _(
                    "Số điện thoại chỉ gồm chữ số, có thể thêm dấu cách, dấu chấm, dấu gạch "
                    "ngang và dấu + ở đầu. Ví dụ: 0912 345 678."
                )
            )
    return "".join(kept)


def _national_number(digits: str) -> str:
    """The national significant number (without country code or trunk 0) of ``digits``."""
    if digits.startswith("+" + COUNTRY_CODE):
        national = digits[3:]
    elif digits.startswith("+"):
        raise _refusal(_("Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84). Ví dụ: 0912 345 678."))
    elif digits.startswith("00" + COUNTRY_CODE):
        national = digits[4:]
    elif digits.startswith("00"):
        raise _refusal(_("Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84). Ví dụ: 0912 345 678."))
    elif digits.startswith(COUNTRY_CODE) and len(digits) >= 11:
        # 84 + a national number of 9 or 10 digits; a national number itself starts with 0,
        # and a 9-digit one typed without it (841 234 567: Vinaphone 084) is shorter.
        national = digits[2:]
    else:
        national = digits
    # "+84 0912 345 678": the trunk 0 kept after the country code, as people write it.
    return national.removeprefix("0")


def phone_parse(raw: str) -> PhoneNumber:
    """Check and normalise a Vietnamese phone number as a person typed it.

    Accepts national (``0912 345 678``) and international (``+84 912 345 678``,
    ``84912345678``, ``0084...``) forms, the trunk 0 kept after +84 (``+84 0912 345 678``),
    separators (spaces, dots, dashes, brackets, ``/``) and any Unicode decimal digits
    (full-width, Arabic-Indic). A number of the pre-2018 11-digit mobile plan
    (``0162 912 3456``, ``+84 162 912 3456``) becomes today's number per Quyết định
    798/QĐ-BTTTT, with ``converted_from`` set. Only numbers that exist in Vietnam's plan per
    libphonenumber (ITU-T E.164) and are mobile or fixed-line numbers are accepted.

    Raises ``django.core.exceptions.ValidationError`` (code ``invalid_phone``, a message in
    the active language that says what is wrong and gives an example) for an empty, too
    long, non-numeric, foreign, non-existent or service (1800/1900, VoIP) number.
    """
    raw = raw or ""
    if not raw.strip():
        raise _refusal(_("Hãy nhập số điện thoại, ví dụ 0912 345 678."))
    if len(raw) > RAW_MAX_LENGTH:
        raise _refusal(_("Số điện thoại quá dài: chỉ nhập một số, ví dụ 0912 345 678."))
    national = _national_number(_digits(raw))
    converted_from = ""
    old_prefix = national[:3]
    if len(national) == OLD_MOBILE_NATIONAL_LENGTH and old_prefix in OLD_MOBILE_PREFIXES:
        converted_from = f"0{national[:3]} {national[3:6]} {national[6:]}"
        national = OLD_MOBILE_PREFIXES[old_prefix] + national[3:]
    if not national.isdigit() or not 8 <= len(national) <= 10:
        raise _invalid()
    number = phonenumbers.parse("+" + COUNTRY_CODE + national)
    if not phonenumbers.is_valid_number(number):
        raise _invalid()
    kind = _PERSONAL_TYPES.get(phonenumbers.number_type(number))
    if kind is None:
        raise _refusal(
            _(
                "Số này là số dịch vụ (như 1800, 1900), không phải số điện thoại của một người. "
                "Hãy nhập số di động hoặc số cố định, ví dụ 0912 345 678."
            )
        )
    return PhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=kind,
        converted_from=converted_from,
    )


def phone_normalise(raw: str) -> str:
    """The E.164 form (``+84912345678``) of a Vietnamese phone number as a person typed it.

    Same rules as :func:`phone_parse` (ITU-T E.164, libphonenumber's plan for Vietnam, old
    11-digit mobile numbers converted per Quyết định 798/QĐ-BTTTT). Idempotent on its own
    output. Raises ``ValidationError`` with code ``invalid_phone``.
    """
    return phone_parse(raw).e164


def phone_lookup_key(raw: str) -> str | None:
    """The E.164 form to look a person up by, or None when ``raw`` is not a valid number (a
    look-up by an invalid number finds nobody). Never raises."""
    try:
        return phone_parse(raw).e164
    except ValidationError:
        return None


def phone_display(value: str) -> str:
    """A stored number as people in Vietnam read it: ``+84912345678`` -> ``0912 345 678``,
    ``+842438251234`` -> ``024 3825 1234`` (libphonenumber's national format). A value that
    is not a valid number (an old row that could not be normalised) is returned as
    it is; "" stays "". Never raises."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_is_mobile(value: str) -> bool:
    """Whether a stored (E.164) number is a mobile number, i.e. can receive SMS. Never
    raises: False for "" or a number that is not valid."""
    try:
        return phone_parse(value).is_mobile
    except ValidationError:
        return False
