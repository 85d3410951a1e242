"""The `validity` check: `validFrom` / `validUntil` against now."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from credentials.verify.results import FAILED, PASSED, Verification
from credentials.verify.values import parse_time
from learnprofile.formatting import date_for_people


def _day(value: datetime) -> str:
    """The day for people: in Vietnam's time, the reader's language (learnprofile.formatting)."""
    return date_for_people(value)


def check_validity(document: dict[str, Any], result: Verification, now: datetime) -> None:
    # A format error is the schema check's; here a date that cannot be read is not a window.
    valid_from = parse_time(document.get("validFrom"))
    valid_until = parse_time(document.get("validUntil"))
    if valid_from is not None and now < valid_from:
        result.add(
            "validity",
            FAILED,
            _("Chứng chỉ chỉ có hiệu lực từ %(date)s.") % {"date": _day(valid_from)},
            "not_yet_valid",
        )
    elif valid_until is not None and now > valid_until:
        result.add(
            "validity",
            FAILED,
            _("Chứng chỉ đã hết hiệu lực từ %(date)s.") % {"date": _day(valid_until)},
            "expired",
        )
    else:
        result.add("validity", PASSED)
