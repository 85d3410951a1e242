"""Deployment checks: secrets that are secrets, and no wildcard host.

One rule set, used two ways:
- `learnprofile.settings.production` calls `deployment_refuse()` on its own values when it is
  imported, so every process started with the production settings (gunicorn, Celery worker
  and beat, `manage.py` of any command, an ASGI server) exits before it serves anything, with
  a message naming each wrong setting. System checks alone would not do: gunicorn and Celery
  never run them.
- `deployment_check` is a Django system check with the `deploy` tag: `manage.py check --deploy`
  reports the same errors (ids `learnprofile.E001`...`E004`) under any settings module, for
  instance one of a team's own that does not derive from the production settings.

A secret is strong (`secret_weakness()` returns None) when:
1. it holds at least 256 bits (32 bytes) as written: length x log2(its alphabet), the alphabet
   being hexadecimal (16 symbols) when it has only hex digits, base64 or base64url (64) when it
   has only those characters (padding "=" not counted), printable ASCII (95) otherwise; that is
   at least 64 hex digits, 43 base64 characters or 40 other characters;
2. it looks random: at least half as many different characters as a random string of its
   length and alphabet would have on average ("x" * 64 and "abab..." fail), and at most a
   quarter of its characters continue a run ("aaaa", "abcd", "13579" fail);
3. `SECRET_KEY` also has Django's own minimum: 50 characters, without the
   `django-insecure-` prefix of `startproject`.
Any value of `secrets.token_urlsafe(48)` (64 characters) passes; the random generators of
Python, Django and OpenSSL (token_hex(32), get_random_secret_key(), `openssl rand -base64 32`)
pass too. A value written in this repository (development and test settings, examples) is
refused whatever its shape, and so is one secret equal to another.
"""

import math
import string
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

#: Keys this platform generates and owns: each must be strong and used for one purpose only.
SECRET_SETTINGS = ("SECRET_KEY", "NATIONAL_ID_HASH_KEY", "CREDENTIAL_KEY_ENCRYPTION_KEY")
#: Credentials of other services (given to us): their shape is the provider's, but none may be
#: one of our keys (an SMTP password reused as SECRET_KEY would hand it to the mail provider).
EXTERNAL_SECRET_SETTINGS = (
    "EMAIL_HOST_PASSWORD",
    "NOTICE_SMS_HTTP_PASSWORD",
    "NOTICE_SMS_HTTP_BEARER_TOKEN",
    "NOTICE_ZALO_ACCESS_TOKEN",
)
MINIMUM_SECRET_BITS = 256
DJANGO_SECRET_KEY_MINIMUM_LENGTH = 50
DJANGO_INSECURE_PREFIX = "django-insecure-"
GENERATE_HINT = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))' "
    "(a different value for each setting)."
)

#: Every secret value written in this repository: the development and test settings, the
#: examples of docker-compose, the benchmarks and the tests as they once were. They are public,
#: so production refuses them even where their shape would pass.
PUBLISHED_SECRETS = frozenset(
    {
        # learnprofile/settings/local.py
        "local-development-only-not-a-secret",
        "local-national-id-hash-key",
        "local-credential-key-encryption-key",
        # learnprofile/settings/test.py
        "test-only-not-a-secret",
        "test-national-id-hash-key",
        "test-credential-key-encryption-key",
        # docker-compose.yml, Dockerfile and bench/ before they generated their secrets
        "compose-only-change-me-0123456789-abcdefghijklmnopqrstuvwxyz",
        "compose-only-national-id-hash-key",
        "compose-only-credential-key",
        "build-only",
        "bench-national-id-key",
        "bench-credential-key",
        "bench-" + "x1y2z3" * 10,
        # the production settings' tests before they generated theirs
        "prod-secret-key-for-the-check-only-0123456789-abcdefghijklmnop",
        "national-id-hash-key-for-the-check",
        "credential-key-encryption-key-for-the-check",
    }
)

_HEX = frozenset(string.hexdigits)
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/-_")


def _alphabet(value: str) -> tuple[str, int]:
    """The symbols `value` counts in (padding dropped) and the size of its alphabet."""
    unpadded = value.rstrip("=")
    if unpadded and set(unpadded) <= _HEX:
        return unpadded, 16
    if unpadded and set(unpadded) <= _BASE64:
        return unpadded, 64
    return value, 95


def _run_continuations(symbols: str) -> int:
    """How many characters continue an arithmetic run of code points: each step equal to the
    one before ("aaa": 1, "abcd": 2, "13579": 3)."""
    steps = [ord(second) - ord(first) for first, second in pairwise(symbols)]
    return sum(1 for before, after in pairwise(steps) if before == after)


def secret_weakness(value: str) -> str | None:
    """Why `value` is not a strong secret (the rules in this module's docstring), or None.

    The answer never contains the value itself: it ends up in logs.
    """
    symbols, alphabet_size = _alphabet(value)
    bits = len(symbols) * math.log2(alphabet_size)
    if bits < MINIMUM_SECRET_BITS:
        return (
            f"it holds about {int(bits)} bits, fewer than {MINIMUM_SECRET_BITS} (32 bytes): "
            "at least 64 hex digits, 43 base64 characters or 40 other characters"
        )
    expected_distinct = alphabet_size * (1 - (1 - 1 / alphabet_size) ** len(symbols))
    if len(set(symbols)) < expected_distinct / 2:
        return "it does not look random: too few different characters"
    if _run_continuations(symbols) > len(symbols) / 4:
        return 'it does not look random: runs such as "aaaa" or "abcd"'
    return None


# A secret held inside another counts as the same once it is this long: shorter common
# pieces of two random keys are chance, not a copy.
SAME_SECRET_MINIMUM_LENGTH = 16


def _holds_the_other(value: str, other: str) -> bool:
    shorter, longer = sorted((value, other), key=len)
    return shorter == longer or (len(shorter) >= SAME_SECRET_MINIMUM_LENGTH and shorter in longer)


def deployment_problems(values: Mapping[str, Any]) -> list[CheckMessage]:
    """The errors of a set of settings (a settings module's globals, or django.conf.settings
    read into a dict): learnprofile.E001 a weak secret, E002 a secret written in this
    repository, E003 two settings with the same secret (or one holding the other), E004 a
    wildcard in ALLOWED_HOSTS, E005 no host in ALLOWED_HOSTS.
    Each message starts with the setting's name and never shows a secret's value."""
    problems: list[CheckMessage] = []
    for name in SECRET_SETTINGS:
        value = str(values.get(name) or "")
        if value in PUBLISHED_SECRETS or value.startswith(DJANGO_INSECURE_PREFIX):
            problems.append(
                Error(
                    f"{name} is a value written in this repository (a development, test or "
                    "example setting): anyone can read it.",
                    hint=GENERATE_HINT,
                    id="learnprofile.E002",
                )
            )
            continue
        weakness = secret_weakness(value)
        if (
            weakness is None
            and name == "SECRET_KEY"
            and len(value) < DJANGO_SECRET_KEY_MINIMUM_LENGTH
        ):
            weakness = f"Django asks for at least {DJANGO_SECRET_KEY_MINIMUM_LENGTH} characters"
        if weakness is not None:
            problems.append(
                Error(
                    f"{name} is too weak: {weakness}.", hint=GENERATE_HINT, id="learnprofile.E001"
                )
            )
    # Our keys against each other and against other services' credentials; two credentials of
    # other services that happen to be equal are their providers' business.
    # "The same" includes a copy with spaces or a few characters around it: one holds the
    # other ("${SECRET_KEY}x", " $SECRET_KEY ").
    seen: list[tuple[str, str]] = []
    for name in SECRET_SETTINGS + EXTERNAL_SECRET_SETTINGS:
        value = str(values.get(name) or "").strip()
        if not value:
            continue
        same_as = next(
            (
                earlier
                for earlier, earlier_value in seen
                if earlier in SECRET_SETTINGS and _holds_the_other(value, earlier_value)
            ),
            None,
        )
        if same_as is not None:
            problems.append(
                Error(
                    f"{name} is the same secret as {same_as}: each key has one purpose, "
                    "so that one leaked or rotated does not expose or break the others.",
                    hint=GENERATE_HINT,
                    id="learnprofile.E003",
                )
            )
        else:
            seen.append((name, value))
    hosts = values.get("ALLOWED_HOSTS") or []
    if not [host for host in hosts if str(host).strip()]:
        problems.append(
            Error(
                "ALLOWED_HOSTS is empty: with DEBUG off, Django answers every request with "
                "400 Bad Request.",
                hint="List the site's host names, comma-separated (e.g. hocsuotdoi.example.vn).",
                id="learnprofile.E005",
            )
        )
    if any("*" in str(host) for host in hosts):
        problems.append(
            Error(
                "ALLOWED_HOSTS contains a wildcard (*): any Host header would be accepted, and "
                "links built from it (password resets, e-mails) could point elsewhere.",
                hint="List the site's host names, comma-separated (e.g. hocsuotdoi.example.vn).",
                id="learnprofile.E004",
            )
        )
    return problems


def deployment_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """System check (tag `deploy`): `deployment_problems()` of the settings in use."""
    from django.conf import settings

    names = (*SECRET_SETTINGS, *EXTERNAL_SECRET_SETTINGS, "ALLOWED_HOSTS")
    return deployment_problems({name: getattr(settings, name, None) for name in names})


def deployment_refuse(values: Mapping[str, Any]) -> None:
    """Raise ImproperlyConfigured listing every problem of `deployment_problems(values)`, each
    line naming its setting and check id; return quietly when there are none."""
    problems = deployment_problems(values)
    if problems:
        lines = [
            f"{problem.id} {problem.msg} {problem.hint or ''}".rstrip() for problem in problems
        ]
        raise ImproperlyConfigured("The production settings refuse to start:\n" + "\n".join(lines))
