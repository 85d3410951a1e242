"""Counting failed attempts (a code typed wrong) per person, to stop guessing.

The counter lives in the cache (the database cache, shared by every web process). Call
`attempt_failed` outside the business transaction: a refusal rolls that one back, and the
failure must still count.
"""

from django.core.cache import cache


def attempts_exhausted(*, key: str, limit: int) -> bool:
    return int(cache.get(f"attempts:{key}") or 0) >= limit


def attempt_failed(*, key: str, window_seconds: int) -> None:
    """Count one failure; the count disappears `window_seconds` after the first one."""
    name = f"attempts:{key}"
    if not cache.add(name, 1, timeout=window_seconds):
        try:
            cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=window_seconds)
