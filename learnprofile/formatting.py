"""Dates, times and numbers for people: the one place that formats them, for pages (through
the `people` template filters), PDFs, e-mails and CSV/XLSX exports.

Every moment is shown in Vietnam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving), whatever
the server's or the document's zone; every value in the active language's convention, from
Django's localisation with this project's format modules (`learnprofile/formats/`):

| value | Vietnamese | English |
| --- | --- | --- |
| date | 30/11/2026 | 30 Nov 2026 |
| date and time | 30/11/2026 05:19 | 30 Nov 2026, 05:19 |
| with the weekday | Thứ 2, 30/11/2026 05:19 | Monday, 30 November 2026, 05:19 |
| number | 1.234,5 | 1,234.5 |
| percent | 95,5 % | 95.5% |
| money (dong) | 300.000 đ | 300,000 VND |

Machine-readable values (ISO 8601 in JSON, `<time datetime>`, file names) are not for people
and do not come here.

A person's name shown to someone who may not know it is masked (`person_name_masked`):
"Nguyễn Thị Lan" -> "Nguyễn T. L.".
"""

import unicodedata
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from learnprofile.text import person_name_normalise

PEOPLE_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

Moment = date | datetime | str | None
Number = int | float | Decimal | str | None


def _moment(value: Moment) -> date | datetime | None:
    """A date stays a date; a datetime (or an ISO 8601 string, as signed in a credential) is
    moved to Vietnam's time. A naive datetime is taken as UTC (what the credentials sign).
    An ISO string of a day alone ("2026-11-30") is that day, not a moment."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == len("2026-11-30"):
                return date.fromisoformat(text)
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(PEOPLE_TIME_ZONE)
    return value


def local_datetime(value: datetime | str) -> datetime | None:
    """The moment in Vietnam's time (None for a string that is not ISO 8601)."""
    moment = _moment(value)
    return moment if isinstance(moment, datetime) else None


def date_for_people(value: Moment) -> str:
    """`dd/mm/yyyy` in Vietnamese, `30 Nov 2026` in English; the day in Vietnam's time. ""
    for None or an unreadable string."""
    moment = _moment(value)
    return formats.date_format(moment, "SHORT_DATE_FORMAT") if moment is not None else ""


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def long_date_for_people(value: Moment) -> str:
    """With the weekday: `Thứ 2, 30/11/2026` / `Monday, 30 November 2026`."""
    moment = _moment(value)
    if moment is None:
        return ""
    return _capitalized(formats.date_format(moment, "DATE_FORMAT"))


def long_datetime_for_people(value: Moment) -> str:
    """With the weekday, for a planned moment (a class session): `Thứ 2, 30/11/2026 05:19` /
    `Monday, 30 November 2026, 05:19`, in Vietnam's time. A date alone gets no time."""
    moment = _moment(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return long_date_for_people(moment)
    return _capitalized(formats.date_format(moment, "DATETIME_FORMAT"))


def datetime_for_people(value: Moment) -> str:
    """`30/11/2026 05:19` / `30 Nov 2026, 05:19`, in Vietnam's time."""
    moment = _moment(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return formats.date_format(moment, "SHORT_DATE_FORMAT")
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def time_for_people(value: datetime | time | str | None) -> str:
    """`05:19`, in Vietnam's time (a naive datetime or ISO string is taken as UTC, as for
    the dates; a `time` is shown as it is)."""
    if isinstance(value, time):
        return formats.time_format(value, "TIME_FORMAT")
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return ""
    return formats.time_format(moment.time(), "TIME_FORMAT")


def end_time_for_people(ends_at: datetime | str | None, starts_at: datetime | str | None) -> str:
    """The end of a span that began at `starts_at`: `00:30`, or `00:30 (hôm sau)` ("next
    day") when it ends on a later day than it began, both in Vietnam's time."""
    end, start = _moment(ends_at), _moment(starts_at)
    if not isinstance(end, datetime):
        return ""
    shown = time_for_people(end)
    if isinstance(start, datetime) and end.date() > start.date():
        return _("%(time)s (hôm sau)") % {"time": shown}
    return shown


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _decimal(value: Number) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number_for_people(value: Number, decimal_places: int | None = None) -> str:
    """Grouped thousands and the language's decimal mark: `1.234,5` / `1,234.5`. Trailing
    zeros of the fraction are dropped when `decimal_places` is None; a negative
    `decimal_places` rounds to that many places (half up) and then drops them too, as
    `floatformat:"-1"` does (12.25 hours -> `12,3`, 12.0 -> `12`). Rounding is half up
    (Django's number_format alone cuts the digits off: 66.7 would be `66`)."""
    number = _decimal(value)
    if number is None:
        return ""
    if decimal_places is not None:
        places = abs(decimal_places)
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if decimal_places < 0:
            decimal_places = None
    if decimal_places is None and number == number.to_integral_value():
        decimal_places = 0
    if decimal_places is None:
        number = number.normalize()
    return formats.number_format(
        number, decimal_pos=decimal_places, use_l10n=True, force_grouping=True
    )


def percent_for_people(value: Number, decimal_places: int | None = None) -> str:
    """`95,5 %` in Vietnamese (a no-break space before the sign, as Vietnamese typography
    writes it), `95.5%` in English."""
    number = number_for_people(value, decimal_places)
    if not number:
        return ""
    return f"{number}%" if _english() else f"{number}\u00a0%"


def money_for_people(dong: Number) -> str:
    """An amount in dong: `300.000 đ` in Vietnamese, `300,000 VND` in English."""
    number = number_for_people(dong, 0)
    if not number:
        return ""
    return f"{number}\u00a0VND" if _english() else f"{number}\u00a0đ"


def _initial(word: str) -> str:
    """The word's first letter or digit with its combining marks, upper-cased where that
    keeps one letter ("đình" -> "Đ"); "" for a word with neither."""
    for index, char in enumerate(word):
        if unicodedata.category(char)[0] in "LN":
            end = index + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            letter = word[index:end]
            upper = unicodedata.normalize("NFC", letter.upper())
            return upper if len(upper) == len(letter) else letter
    return ""


def person_name_masked(name: str) -> str:
    """A person's name for someone who has no need of the whole of it (an issuer looking a
    citizen up by e-mail or phone): the family name (the first word, as Vietnamese names are
    written) whole, each other word its initial and a dot. "Nguyễn Thị Lan" -> "Nguyễn T. L.",
    "Đỗ đình Đạt" -> "Đỗ Đ. Đ.". A one-word name keeps only its initial ("Lan" -> "L."), so a
    name is never shown whole. The name is read as stored (`person_name_normalise`: NFC,
    control characters dropped, spaces collapsed); a word without a letter or digit is left
    out. "" for an empty name."""
    words = [word for word in person_name_normalise(name).split(" ") if _initial(word)]
    if not words:
        return ""
    if len(words) == 1:
        return f"{_initial(words[0])}."
    return " ".join([words[0], *(f"{_initial(word)}." for word in words[1:])])
