"""Fetching what a credential of another host points to: its issuer's did:web document and its
Bitstring Status List, at verification time.

Guarded, because the URL comes from whoever wrote the credential:
- HTTPS only (CREDENTIAL_FETCH_ALLOW_HTTP lifts it for tests' plain HTTP servers);
- public addresses only: the host name is resolved here, and the fetch is refused when ANY of
  its addresses is private, loopback, link-local, multicast, reserved or unspecified; the
  connection then goes to the address that was checked (with the name in the Host header and
  in TLS, SNI and certificate check), so a second DNS answer cannot point it elsewhere
  (CREDENTIAL_FETCH_ALLOW_PRIVATE lifts it for tests);
- no redirect followed; CREDENTIAL_FETCH_TIMEOUT_SECONDS for the whole exchange;
  CREDENTIAL_FETCH_MAX_BYTES at most;
- answers cached CREDENTIAL_FETCH_CACHE_SECONDS by URL; a failure to reach a host for
  FAILURE_CACHE_SECONDS only, so a host that is down does not hold every verification for the
  full timeout, and one that comes back is read again within the minute. A refused address is
  not cached (refusing costs nothing).
"""

import concurrent.futures
import hashlib
import ipaddress
import json
import socket
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FAILURE_CACHE_SECONDS = 30
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="did-web-dns")
CHUNK_BYTES = 16 * 1024


class FetchError(Exception):
    """The document could not be fetched; str() says why in the active language (for the
    verdict's detail). The reason is kept untranslated, so a cached failure reads in the
    language of whoever asks next."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, params or {})
        self.message = message
        self.params = params or {}

    def __str__(self) -> str:
        text = _(self.message)
        return text % self.params if self.params else text


class AddressRefused(FetchError):
    """The host resolves to an address this server must not connect to."""


def did_web_url(did: str) -> str:
    """The URL of a did:web DID's document (DID Web Method, 3.2): `did:web:example.com` ->
    `https://example.com/.well-known/did.json`; `did:web:example.com:issuers:x` ->
    `https://example.com/issuers/x/did.json`; `%3A` in the host is a port's colon."""
    parts = did.removeprefix("did:web:").split(":")
    host = unquote(parts[0])
    if not host or "/" in host or "@" in host:
        raise FetchError(
            gettext_noop("không phải tên máy chủ did:web: %(host)s"), {"host": parts[0][:100]}
        )
    # A did:web is HTTPS; tests' local servers are plain HTTP.
    scheme = "http" if settings.CREDENTIAL_FETCH_ALLOW_HTTP else "https"
    path = "/".join(unquote(part) for part in parts[1:])
    return (
        f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"
    )


def json_fetch(url: str) -> Any:
    """The JSON document at `url`, through the cache. Raises FetchError."""
    key = "credential-fetch:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        if "error" in cached:
            raise FetchError(cached["error"], cached.get("params"))
        return cached["document"]
    try:
        document = _fetch(url)
    except AddressRefused:
        raise
    except FetchError as error:
        cache.set(key, {"error": error.message, "params": error.params}, FAILURE_CACHE_SECONDS)
        raise
    cache.set(key, {"document": document}, settings.CREDENTIAL_FETCH_CACHE_SECONDS)
    return document


def checked_address(host: str, port: int) -> str:
    """One address of `host`, after checking that every address it resolves to is public.
    Raises AddressRefused (or FetchError when the name does not resolve)."""
    # getaddrinfo has no timeout of its own (the resolver's can be many seconds): it runs in
    # a small pool and is given up after the fetch's timeout (the thread ends on its own).
    lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        answers = lookup.result(timeout=settings.CREDENTIAL_FETCH_TIMEOUT_SECONDS)
    except concurrent.futures.TimeoutError as error:
        raise FetchError(
            gettext_noop("%(host)s: không tra được địa chỉ kịp thời"), {"host": host}
        ) from error
    except (OSError, UnicodeError) as error:
        raise FetchError(
            gettext_noop("%(host)s: không tra được địa chỉ"), {"host": host}
        ) from error
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise FetchError(gettext_noop("%(host)s: không tra được địa chỉ"), {"host": host})
    if not settings.CREDENTIAL_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            parsed = ipaddress.ip_address(str(address).split("%", 1)[0])
            if not parsed.is_global or parsed.is_multicast:
                raise AddressRefused(
                    gettext_noop("%(host)s → %(address)s: không phải địa chỉ công cộng"),
                    {"host": host, "address": address},
                )
    return str(addresses[0])


def _fetch(url: str) -> Any:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise FetchError(gettext_noop("không phải một địa chỉ URL")) from error
    allowed = ("https", "http") if settings.CREDENTIAL_FETCH_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise FetchError(
            gettext_noop("%(scheme)s: chỉ tải qua HTTPS"), {"scheme": parts.scheme or "?"}
        )
    host = parts.hostname
    address = checked_address(host, port)
    deadline = time.monotonic() + settings.CREDENTIAL_FETCH_TIMEOUT_SECONDS
    timeout = urllib3.Timeout(total=settings.CREDENTIAL_FETCH_TIMEOUT_SECONDS)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    default_port = 443 if parts.scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(
            "GET",
            target,
            headers={
                "Host": host_header,
                "Accept": "application/did+json, application/ld+json, application/json",
                "User-Agent": "LearnProfile-verifier",
            },
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            if response.status != 200:
                raise FetchError(gettext_noop("HTTP %(status)s"), {"status": response.status})
            body = _read_limited(response, deadline)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(_short(error)) from error
    finally:
        pool.close()
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FetchError(gettext_noop("câu trả lời không phải JSON")) from error


def _read_limited(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    limit = settings.CREDENTIAL_FETCH_MAX_BYTES
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(gettext_noop("câu trả lời lớn quá %(size)s KB"), {"size": limit // 1024})
    body = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise FetchError(gettext_noop("hết thời gian chờ"))
        chunk = response.read(CHUNK_BYTES)
        if not chunk:
            return bytes(body)
        body.extend(chunk)
        if len(body) > limit:
            raise FetchError(
                gettext_noop("câu trả lời lớn quá %(size)s KB"), {"size": limit // 1024}
            )


def _short(error: Exception) -> str:
    # NewConnectionError is a ConnectTimeoutError too (urllib3 keeps it so): ask it first.
    if isinstance(error, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ProtocolError):
        return gettext_noop("máy chủ không trả lời")
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return gettext_noop("hết thời gian chờ")
    if isinstance(error, urllib3.exceptions.SSLError):
        return gettext_noop("chứng thư TLS không hợp lệ cho máy chủ này")
    return type(error).__name__
