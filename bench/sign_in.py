"""What the sign-in limits of issue 18 cost a sign-in (decision 0010).

- limiter: `attempt_start` on the two sign-in counters (per account and address, per address)
  then `Attempt.succeeded`, the work each sign-in adds, against the real default cache
  (PostgreSQL). p50 and p95 in milliseconds over the runs.
- sign-in: the whole sign-in form POST through Django's request handler (allauth, the
  adapter, password hashing with the configured hasher), with the right password and with a
  wrong one (each from its own address, so no delay is asked for). p50 in milliseconds.
- ratio: the limiter's p50 as a share of a sign-in's, within one run: the figure to compare
  across machines.

The benchmark's person (bench-sign-in@example.invalid) is created and removed by the run.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")

import django

django.setup()

from _report import figure, figures, phase, run  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from learnprofile.attempts import attempt_start  # noqa: E402
from profiles.adapters import sign_in_counters  # noqa: E402
from profiles.models import User  # noqa: E402

RUNS = int(os.environ.get("BENCH_SIGN_IN_RUNS", "60"))
EMAIL = "bench-sign-in@example.invalid"
PASSWORD = "Bench-sign-in-2026!"  # noqa: S105 - a throwaway account of this run


def _times_ms(work, runs: int) -> list[float]:
    times = []
    for index in range(runs):
        started = time.perf_counter()
        work(index)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _person() -> User:
    User.objects.filter(email=EMAIL).delete()
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    user.emailaddress_set.create(email=EMAIL, verified=True, primary=True)
    return user


def _sign_in(index: int, password: str) -> None:
    client = Client(REMOTE_ADDR=f"198.51.100.{index % 250 + 1}", HTTP_HOST="127.0.0.1")
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": password})
    expected = 302 if password == PASSWORD else 200
    if response.status_code != expected:
        raise SystemExit(f"sign-in answered {response.status_code}, expected {expected}")


def _limiter(index: int) -> None:
    counters = sign_in_counters(account=EMAIL, address=f"203.0.113.{index % 250 + 1}")
    attempt_start(counters=counters).succeeded()


def main() -> None:
    figure("runs", RUNS)
    phase("create the person")
    _person()
    try:
        phase("limiter")
        _limiter(0)  # the first cache round trip opens the connection
        limiter = _times_ms(_limiter, RUNS * 5)
        figure("limiter_p50_ms", round(statistics.median(limiter), 2), "ms")
        figure("limiter_p95_ms", round(statistics.quantiles(limiter, n=20)[-1], 2), "ms")
        phase("sign-in, right password")
        right = _times_ms(lambda index: _sign_in(index, PASSWORD), RUNS)
        figure("sign_in_right_p50_ms", round(statistics.median(right), 1), "ms")
        phase("sign-in, wrong password")
        wrong = _times_ms(lambda index: _sign_in(index + 125, "not the password"), RUNS)
        figure("sign_in_wrong_p50_ms", round(statistics.median(wrong), 1), "ms")
    finally:
        User.objects.filter(email=EMAIL).delete()
    phase("summary")
    limiter_p50 = statistics.median(limiter)
    right_p50 = statistics.median(right)
    print(f"{'work':<42} {'p50 ms':>8} {'p95 ms':>8}")
    for label, times in (
        ("limiter (start + succeeded, 2 counters)", limiter),
        ("sign-in, right password", right),
        ("sign-in, wrong password", wrong),
    ):
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{label:<42} {statistics.median(times):>8.2f} {p95:>8.2f}")
    figures({"limiter_share_of_sign_in": round(limiter_p50 / right_p50, 3)})


if __name__ == "__main__":
    run("sign_in", main)
