"""Failed attempts at a secret (a password, a typed code), slowed down by growing delays.

A `Limit` names what is counted and how. Within `window_seconds`, the first `free_failures`
failures cost nothing; after `free_failures + n` of them, the next attempt must wait 2**n
seconds after the last failure (1, 2, 4, ... seconds), never more than `max_delay_seconds`.
Nothing is locked for good: waiting always works, and a failure older than the window is
forgotten. Callers choose counters no stranger can fill for someone else: sign-in counts per
(account, client address) and per address, a typed code per person and per address
(decision 0010).

An attempt is counted as failed when it starts (`attempt_start`), under a short lock on each of
its counters, so a burst of parallel guesses cannot all pass the check before any failure is
recorded (allauth counts its own limits the same way). The caller then reports a right secret
(`Attempt.succeeded`) or an attempt that was not a guess after all (`Attempt.withdraw`); a wrong
secret needs no call. Start attempts outside any database transaction: the counters live in the
default cache (PostgreSQL, see settings), and a rolled-back transaction would take the count
with it.

Times are seconds since the epoch (`time.time()`, UTC). Identities (an e-mail address, an IP
address) are kept only as SHA-256 digests in cache keys.
"""

import hashlib
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import ngettext

# A lock is held for a few cache reads and writes; a crashed holder's lock expires on its own.
_LOCK_SECONDS = 10
_LOCK_WAIT_SECONDS = 1.0
_LOCK_RETRY_SECONDS = 0.01


@dataclass(frozen=True)
class Limit:
    """How failures of one kind are slowed. `name` keeps counters of different limits apart
    (it is part of the cache key); `forget_on_success` clears the counter when a right secret
    comes through it, otherwise only that attempt's own count is withdrawn."""

    name: str
    free_failures: int
    max_delay_seconds: int
    window_seconds: int
    forget_on_success: bool = False

    def delay_seconds(self, failures: int) -> int:
        """Seconds the next attempt waits after the last of `failures` failures (in the
        window): 0 below `free_failures`, then 1, 2, 4, ... up to `max_delay_seconds`."""
        if failures < self.free_failures:
            return 0
        doublings = failures - self.free_failures
        if doublings >= self.max_delay_seconds.bit_length():
            return self.max_delay_seconds
        return min(1 << doublings, self.max_delay_seconds)

    @property
    def failures_kept(self) -> int:
        """Beyond this many failures the delay no longer grows: older ones need not be kept."""
        return self.free_failures + self.max_delay_seconds.bit_length() + 1


class AttemptsExhausted(Exception):
    """Too many failures: the attempt was not made. `wait_seconds` (whole seconds, at least 1)
    is how long until the next attempt is let through; `limit` is the limit that refused."""

    def __init__(self, *, wait_seconds: int, limit: Limit) -> None:
        super().__init__(f"{limit.name}: wait {wait_seconds} s")
        self.wait_seconds = wait_seconds
        self.limit = limit


@dataclass
class Attempt:
    """An attempt under way, already counted as failed under each of its counters."""

    _counted: list[tuple[Limit, str, float]] = field(default_factory=list)

    def succeeded(self) -> None:
        """The secret was right: this attempt's failure is withdrawn, and counters whose limit
        says `forget_on_success` are cleared."""
        for limit, key, started_at in self._counted:
            if limit.forget_on_success:
                cache.delete(key)
            else:
                _withdraw(limit, key, started_at)
        self._counted = []

    def withdraw(self) -> None:
        """The attempt was refused for another reason than a wrong secret (a right code for a
        class the person already left, say): it does not count."""
        for limit, key, started_at in self._counted:
            _withdraw(limit, key, started_at)
        self._counted = []


def attempt_start(
    *, counters: Sequence[tuple[Limit, str]], now: float | None = None, weight: int = 1
) -> Attempt:
    """Start an attempt counted under each (limit, identity) of `counters`, or refuse it.
    `weight` (at least 1): how many attempts this one counts as (a file of 40 look-ups is
    40); the check before it is the same as for one.

    Raises AttemptsExhausted (with the longest wait among the counters) when any counter says
    wait; nothing is counted then. When a counter's lock cannot be had within a second (many
    attempts on it at once), the attempt is refused with a one-second wait: failing closed,
    briefly. `now` (seconds since the epoch) defaults to the current time."""
    at = time.time() if now is None else now
    keyed = sorted((_cache_key(limit, identity), limit) for limit, identity in counters)
    with _locked([key for key, _limit in keyed]) as locked:
        if not locked:
            raise AttemptsExhausted(wait_seconds=1, limit=keyed[0][1])
        histories = []
        waits = []
        for key, limit in keyed:
            history = _recent(cache.get(key), limit, at)
            histories.append(history)
            if history:
                waits.append((history[0] + limit.delay_seconds(len(history)) - at, limit))
        if waits:
            longest, limit = max(waits, key=lambda wait: wait[0])
            if longest > 0:
                raise AttemptsExhausted(wait_seconds=max(1, math.ceil(longest)), limit=limit)
        for (key, limit), history in zip(keyed, histories, strict=True):
            history[:0] = [at] * max(1, weight)
            cache.set(key, history[: limit.failures_kept], timeout=limit.window_seconds)
    return Attempt([(limit, key, at) for key, limit in keyed])


def attempts_forget(*, limit: Limit, identity: str) -> None:
    """Clear the counter of `identity` under `limit` (after a password reset, say)."""
    cache.delete(_cache_key(limit, identity))


def wait_for_people(seconds: int) -> str:
    """A wait, for a message: whole seconds under a minute, else minutes rounded up."""
    if seconds < 60:
        return ngettext("%(count)d giây", "%(count)d giây", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d phút", "%(count)d phút", minutes) % {"count": minutes}


def _cache_key(limit: Limit, identity: str) -> str:
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
    return f"attempts:{limit.name}:{digest}"


def _recent(stored: object, limit: Limit, at: float) -> list[float]:
    """The failures still in the window, newest first (anything else stored is dropped)."""
    if not isinstance(stored, list):
        return []
    recent = [
        moment
        for moment in stored
        if isinstance(moment, int | float) and moment > at - limit.window_seconds
    ]
    return sorted(recent, reverse=True)


def _withdraw(limit: Limit, key: str, started_at: float) -> None:
    with _locked([key]) as locked:
        if not locked:  # the failure stays counted: stricter, never looser
            return
        history = cache.get(key)
        if isinstance(history, list) and started_at in history:
            history.remove(started_at)
            cache.set(key, history, timeout=limit.window_seconds)


@contextmanager
def _locked(keys: list[str]) -> Iterator[bool]:
    """Hold a lock on each key (taken in the order given: callers sort them), or on none."""
    held: list[str] = []
    try:
        for key in keys:
            if not _lock(f"{key}:lock"):
                yield False
                return
            held.append(f"{key}:lock")
        yield True
    finally:
        for lock in held:
            cache.delete(lock)


def _lock(lock: str) -> bool:
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    while not cache.add(lock, 1, timeout=_LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_LOCK_RETRY_SECONDS)
    return True
