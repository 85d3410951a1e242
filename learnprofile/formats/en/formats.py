"""English formats for readers abroad and at home: the month written as a word ("30 Nov
2026"), so that a date is never read month-first or day-first by mistake; 24-hour times as in
Vietnam. Numbers: "1,234.5"."""

from learnprofile.formats import DATETIME_INPUT_FORMATS as SHARED_DATETIME_INPUT_FORMATS

DATE_FORMAT = "l, j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l, j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# Day first, as in Vietnam (never the US month-first reading); ISO is accepted too.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = SHARED_DATETIME_INPUT_FORMATS
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
