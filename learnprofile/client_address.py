"""The address of the client that sent a request: the one place that reads `REMOTE_ADDR` and
`X-Forwarded-For`, for every rate limit (allauth's, ours in `learnprofile.attempts`, DRF's
throttles).

`REMOTE_ADDR` is the peer that opened the connection. Behind reverse proxies of our own (a TLS
terminator, a load balancer), that peer is the nearest proxy, and each proxy appends to
`X-Forwarded-For` the address it received the request from. With `TRUSTED_PROXY_COUNT = N`
(settings, from the environment), the client is the N-th entry from the right; entries further
left were written by whoever sent the request and are never believed. With N = 0 (the default:
the web process faces clients directly) the header is ignored entirely.

A header shorter than N entries (the request did not pass through every proxy) or an entry that
is not an IP address gives `REMOTE_ADDR`: the nearest proxy's address, shared by many clients,
which makes limits stricter, never looser.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings

# The network limits count by for IPv6: one subscriber usually holds a whole /64 and can pick
# any address in it (allauth's ACCOUNT_RATE_LIMIT_IPV6_PREFIX default, RFC 6177).
IPV6_GROUP_PREFIX = 64


class _HasMeta(Protocol):
    """A Django `HttpRequest` or a DRF `Request` (which passes `META` through)."""

    @property
    def META(self) -> Mapping[str, Any]: ...  # noqa: N802 (Django's name)


def address_parse(text: str) -> str | None:
    """`text` as a canonical IP address string, or None when it is not one.

    Accepts what proxies write in `X-Forwarded-For` (RFC 7239 section 7.4 describes the
    header): `203.0.113.5`, `2001:db8::1`, also with a port (`203.0.113.5:4711`,
    `[2001:db8::1]:4711`). An IPv4-mapped IPv6 address (`::ffff:203.0.113.5`) gives its IPv4
    form, so one client has one address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) names our interface, not them
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def client_address(request: _HasMeta) -> str | None:
    """The client's IP address (canonical string), per the rules above; None only when the
    server gave no usable `REMOTE_ADDR` either (a Unix socket without a proxy in front)."""
    remote = address_parse(str(request.META.get("REMOTE_ADDR") or ""))
    trusted_proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted_proxies <= 0:
        return remote
    # A WSGI server joins repeated headers with commas: one list either way.
    entries = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    if not entries[-1].strip() or len(entries) < trusted_proxies:
        return remote
    return address_parse(entries[-trusted_proxies]) or remote


def address_group(address: str | None) -> str:
    """What per-address limits count by: an IPv4 address itself, the /64 network of an IPv6
    address, "unknown" for no address (all such clients share one count)."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network(f"{parsed}/{IPV6_GROUP_PREFIX}", strict=False)
        return f"{network.network_address}/{IPV6_GROUP_PREFIX}"
    return str(parsed)
