"""Django format modules (FORMAT_MODULE_PATH), one per language; what they share is here."""

# Typed date-times are day first; ISO (what <input type="datetime-local"> sends) is accepted.
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
