"""Failed attempts: free ones, then delays that double up to a cap; nothing locked for good.

The counters are real (the database cache); time is passed in (`now`), never slept through.
"""

import threading

import pytest
from django.db import connection

from learnprofile.attempts import (
    AttemptsExhausted,
    Limit,
    attempt_start,
    attempts_forget,
    wait_for_people,
)

pytestmark = pytest.mark.django_db

LIMIT = Limit(name="test", free_failures=3, max_delay_seconds=20, window_seconds=3600)
T0 = 1_800_000_000.0


def _fail(at: float, limit: Limit = LIMIT, identity: str = "an") -> None:
    attempt_start(counters=[(limit, identity)], now=at)


def _wait(at: float, limit: Limit = LIMIT, identity: str = "an") -> int:
    """Seconds the attempt at `at` is told to wait (0: it was let through, and counted)."""
    try:
        attempt_start(counters=[(limit, identity)], now=at)
    except AttemptsExhausted as refusal:
        return refusal.wait_seconds
    return 0


def test_delays_double_after_the_free_failures_up_to_the_cap() -> None:
    at = T0
    waits = []
    for _failure in range(10):
        wait = _wait(at)
        if wait:
            waits.append(wait)
            at += wait
            _fail(at)
        at += 0.001

    assert waits == [1, 2, 4, 8, 16, 20, 20]


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 0), (2, 0), (3, 1), (4, 2), (7, 16), (8, 20), (60, 20)]
)
def test_the_delay_after_so_many_failures(failures: int, delay: int) -> None:
    assert LIMIT.delay_seconds(failures) == delay


def test_an_attempt_refused_while_waiting_is_not_counted() -> None:
    for second in range(3):
        _fail(T0 + second)
    for hammering in range(50):
        assert _wait(T0 + 2.5 + hammering / 100) == 1

    assert _wait(T0 + 3) == 0
    assert _wait(T0 + 3.5) == 2


def test_failures_older_than_the_window_are_forgotten() -> None:
    for minute in range(6):
        _fail(T0 + 60 * minute)
    later = T0 + 300 + 3600

    assert [_wait(later + step / 1000) for step in range(4)] == [0, 0, 0, 1]


def test_a_right_secret_withdraws_only_its_own_attempt() -> None:
    for second in range(2):
        _fail(T0 + second)

    attempt_start(counters=[(LIMIT, "an")], now=T0 + 2).succeeded()

    _fail(T0 + 3)
    assert _wait(T0 + 3.5) == 1


def test_a_right_secret_clears_a_counter_that_forgets_on_success() -> None:
    forgetful = Limit(
        name="forgetful",
        free_failures=3,
        max_delay_seconds=20,
        window_seconds=3600,
        forget_on_success=True,
    )
    for second in range(2):
        _fail(T0 + second, forgetful)

    attempt_start(counters=[(forgetful, "an")], now=T0 + 2).succeeded()

    assert [_wait(T0 + 3 + step / 1000, forgetful) for step in range(4)] == [0, 0, 0, 1]


def test_a_withdrawn_attempt_does_not_count() -> None:
    for second in range(5):
        attempt_start(counters=[(LIMIT, "an")], now=T0 + second).withdraw()

    assert _wait(T0 + 6) == 0


def test_each_identity_has_its_own_counter() -> None:
    for second in range(3):
        _fail(T0 + second, identity="an")

    assert _wait(T0 + 2.5, identity="an") == 1
    assert _wait(T0 + 2.5, identity="binh") == 0


def test_the_longest_wait_of_all_counters_is_told_and_nothing_is_counted() -> None:
    wide = Limit(name="wide", free_failures=1, max_delay_seconds=600, window_seconds=3600)
    _fail(T0, wide)
    _fail(T0 + 1, wide)  # one free, then one second after it

    with pytest.raises(AttemptsExhausted) as refusal:
        attempt_start(counters=[(LIMIT, "an"), (wide, "an")], now=T0 + 1.5)

    assert (refusal.value.wait_seconds, refusal.value.limit) == (2, wide)
    assert _wait(T0 + 1.5) == 0  # LIMIT counted nothing for the refused attempt


def test_forgetting_clears_the_counter() -> None:
    for second in range(4):
        _wait(T0 + second)

    attempts_forget(limit=LIMIT, identity="an")

    assert _wait(T0 + 4) == 0


@pytest.mark.parametrize(
    ("seconds", "vietnamese"),
    [(1, "1 giây"), (59, "59 giây"), (60, "1 phút"), (61, "2 phút"), (900, "15 phút")],
)
def test_a_wait_is_told_in_seconds_then_minutes(seconds: int, vietnamese: str) -> None:
    assert wait_for_people(seconds) == vietnamese


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_than_the_free_failures_through() -> None:
    attempts_forget(limit=LIMIT, identity="parallel")  # the cache table outlives this test
    passed = []
    start = threading.Barrier(10)

    def guess() -> None:
        try:
            start.wait()
            attempt_start(counters=[(LIMIT, "parallel")], now=T0)
            passed.append(True)
        except AttemptsExhausted:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _guesser in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    attempts_forget(limit=LIMIT, identity="parallel")
    assert len(passed) == LIMIT.free_failures
