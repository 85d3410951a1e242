"""Vietnamese formats (Django's own `vi` formats say "d-m-Y"; people here write d/m/Y, as the
State's documents do: Decree 30/2020/ND-CP writes dates "ngày ... tháng ... năm ..." and forms
use dd/mm/yyyy). Numbers: "1.234,5" (dot for thousands, comma for decimals)."""

from learnprofile.formats import DATETIME_INPUT_FORMATS as SHARED_DATETIME_INPUT_FORMATS

DATE_FORMAT = "l, d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l, d/m/Y H:i"
YEAR_MONTH_FORMAT = "m/Y"
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# Typed dates are day first; ISO (what <input type="date"> sends) is accepted too.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = SHARED_DATETIME_INPUT_FORMATS
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
