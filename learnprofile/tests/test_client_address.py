"""The client address: X-Forwarded-For only through the configured number of trusted proxies."""

import pytest
from django.test import RequestFactory

from learnprofile.client_address import address_group, client_address
from learnprofile.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

PROXY = "10.0.0.2"


def _request(remote: str | None = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    return request


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(_request("203.0.113.5", "198.51.100.7")) == "203.0.113.5"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # Entries left of the trusted ones were written by the sender: never believed.
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.7,203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.7, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (1, "[2001:db8::7]:4711", "2001:db8::7"),
        (1, "2001:DB8:0:0::7", "2001:db8::7"),
        (1, "203.0.113.5:4711", "203.0.113.5"),
        (1, "::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_behind_trusted_proxies_the_client_is_that_many_entries_from_the_right(
    settings, trusted: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted

    assert client_address(_request(PROXY, forwarded)) == expected


@pytest.mark.parametrize(
    ("trusted", "forwarded"),
    [
        (1, None),
        (1, ""),
        (1, "198.51.100.7, "),
        (2, "203.0.113.5"),  # shorter than the proxies it should have passed
        (1, "unknown"),
        (1, "203.0.113.500"),
        (1, "<script>alert(1)</script>"),
        (1, "203.0.113.5 198.51.100.7"),
    ],
)
def test_a_short_or_malformed_forwarded_header_gives_the_peer_address(
    settings, trusted: int, forwarded: str | None
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted

    assert client_address(_request(PROXY, forwarded)) == PROXY


def test_no_usable_peer_address_gives_none(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(_request(None)) is None
    assert client_address(_request("")) is None


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        (None, "unknown"),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64_network(address: str | None, group: str) -> None:
    assert address_group(address) == group


@pytest.mark.parametrize("throttle", [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle])
@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [(0, "198.51.100.7", PROXY), (1, "198.51.100.1, 198.51.100.7", "198.51.100.7")],
)
def test_api_throttles_count_by_the_same_client_address(
    settings, throttle, trusted: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted

    assert throttle().get_ident(_request(PROXY, forwarded)) == expected
