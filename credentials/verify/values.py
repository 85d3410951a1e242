"""Reading the values of a credential's JSON safely: any JSON value in, never an exception
out."""

import re
from datetime import datetime
from typing import Any

# An OB 3.0 credential nests about ten levels; anything past this is refused before the
# schema check, the JSON-LD processor or the proof walk it.
MAX_DEPTH = 64
# XML Schema dateTimeStamp: a date and time with its time zone (VC 2.0, 4.9).
DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", re.ASCII)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def nesting_depth(node: Any) -> int:
    """How deeply objects and arrays nest (iteratively: no recursion on hostile input)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_time(value: Any) -> datetime | None:
    """A dateTimeStamp, or None when the value is not one (no time zone, not a date)."""
    if not isinstance(value, str) or not DATE_TIME_STAMP.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def types_of(node: Any) -> list[str]:
    return [item for item in as_list(node.get("type")) if isinstance(item, str)]
