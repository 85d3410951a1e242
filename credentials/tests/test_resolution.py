"""Credentials of other hosts: their did:web document and status list fetched at verification
time from a real HTTP server the test starts, and the guards: no private address, no
redirect, no large answer; a host that is down gives "cannot confirm", never "invalid"."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import cryptosuite
from credentials.services import resolution, status
from credentials.services.verification import verify_here

pytestmark = pytest.mark.django_db


class Host:
    """A local HTTP server answering from `routes` (path -> (status, headers, body))."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests.append((self.path, self.headers.get("Host", "")))
                code, headers, body = host.routes.get(self.path, (404, {}, b"{}"))
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.did = f"did:web:127.0.0.1%3A{self.port}:issuers:x"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve_json(self, path: str, document: object) -> None:
        self.routes[path] = (
            200,
            {"Content-Type": "application/json"},
            json.dumps(document).encode(),
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def other_host(settings) -> Iterator[Host]:
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    settings.CREDENTIAL_FETCH_ALLOW_PRIVATE = True
    settings.CREDENTIAL_FETCH_ALLOW_HTTP = True
    host = Host()
    yield host
    host.stop()


SIGNER = Ed25519PrivateKey.generate()
MULTIBASE = cryptosuite.public_key_multibase(SIGNER.public_key())


def _did_document(did: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": MULTIBASE,
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
    }


def _sign(document: dict, did: str) -> dict:
    return cryptosuite.proof_create(
        document=document,
        private_key=SIGNER,
        options=cryptosuite.ProofOptions(
            verification_method=f"{did}#key-1", created="2026-06-01T00:00:00Z"
        ),
    )


def _credential(did: str, status_url: str | None = None, index: int = 7) -> dict:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0c0ffee0-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:lan"},
    }
    if status_url:
        document["credentialStatus"] = {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        }
    return _sign(document, did)


def _status_list(did: str, url: str, revoked: frozenset[int] = frozenset()) -> dict:
    bits = bytearray(131_072 // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return _sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": status.encode_list(bytes(bits)),
            },
        },
        did,
    )


def _codes(result) -> dict:
    return {check.name: (check.outcome, check.code) for check in result.checks}


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:issuers:x", "https://example.com/issuers/x/did.json"),
        ("did:web:example.com%3A8443:u:alice", "https://example.com:8443/u/alice/did.json"),
    ],
    ids=["host", "path", "port"],
)
def test_a_did_web_names_the_url_of_its_document(did, url) -> None:
    assert resolution.did_web_url(did) == url


def test_another_hosts_did_web_credential_verifies_with_its_status_list(other_host) -> None:
    status_url = f"http://127.0.0.1:{other_host.port}/status/1"
    other_host.serve_json("/issuers/x/did.json", _did_document(other_host.did))
    other_host.serve_json("/status/1", _status_list(other_host.did, status_url))

    result = verify_here(_credential(other_host.did, status_url))

    assert result.verdict == "valid"
    assert _codes(result) == {
        "schema": ("passed", "not_an_open_badge"),
        "proof": ("passed", ""),
        "issuer_key": ("passed", ""),
        "status": ("passed", ""),
        "validity": ("passed", ""),
    }
    assert ("/issuers/x/did.json", f"127.0.0.1:{other_host.port}") in other_host.requests


def test_another_hosts_status_list_says_revoked(other_host) -> None:
    status_url = f"http://127.0.0.1:{other_host.port}/status/1"
    other_host.serve_json("/issuers/x/did.json", _did_document(other_host.did))
    other_host.serve_json("/status/1", _status_list(other_host.did, status_url, frozenset({7})))

    assert verify_here(_credential(other_host.did, status_url)).verdict == "revoked"


def test_a_status_list_signed_by_someone_else_is_not_trusted(other_host) -> None:
    status_url = f"http://127.0.0.1:{other_host.port}/status/1"
    stranger = "did:web:127.0.0.1%3A1:issuers:y"
    other_host.serve_json("/issuers/x/did.json", _did_document(other_host.did))
    other_host.serve_json("/status/1", _status_list(stranger, status_url, frozenset({7})))

    result = verify_here(_credential(other_host.did, status_url))

    assert result.verdict == "cannot_confirm"
    assert result.checks[3].detail.endswith("(danh sách không do đơn vị cấp chứng chỉ ký)")


def test_a_host_that_is_down_gives_cannot_confirm_not_invalid(other_host) -> None:
    signed = _credential(other_host.did)
    other_host.stop()

    result = verify_here(signed)

    assert result.verdict == "cannot_confirm"
    assert _codes(result)["issuer_key"] == ("cannot_confirm", "key_unavailable")
    assert result.checks[2].detail == "Không tải được khóa của người ký (máy chủ không trả lời)"


def test_a_document_fetched_once_is_cached(other_host) -> None:
    other_host.serve_json("/issuers/x/did.json", _did_document(other_host.did))
    signed = _credential(other_host.did)
    verify_here(signed)
    other_host.routes.clear()

    assert verify_here(signed).verdict == "valid"
    assert len(other_host.requests) == 1


def test_a_key_the_host_does_not_list_for_assertions_is_invalid(other_host) -> None:
    document = _did_document(other_host.did)
    document["authentication"] = document.pop("assertionMethod")
    other_host.serve_json("/issuers/x/did.json", document)

    result = verify_here(_credential(other_host.did))

    assert (result.verdict, _codes(result)["issuer_key"]) == (
        "invalid",
        ("failed", "key_not_listed"),
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ((302, {"Location": "http://127.0.0.1/elsewhere"}, b""), "HTTP 302"),
        ((200, {}, b"x" * (256 * 1024 + 1)), "câu trả lời lớn quá 256 KB"),
        ((200, {}, b"<html>"), "câu trả lời không phải JSON"),
    ],
    ids=["redirect-not-followed", "too-large", "not-json"],
)
def test_a_bad_answer_gives_cannot_confirm_with_the_reason(other_host, answer, reason) -> None:
    other_host.routes["/issuers/x/did.json"] = answer

    result = verify_here(_credential(other_host.did))

    assert result.verdict == "cannot_confirm"
    assert result.checks[2].detail == f"Không tải được khóa của người ký ({reason})"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "%5B%3A%3A1%5D",
        "0.0.0.0",  # noqa: S104  (an address refused, not bound)
        "192.168.1.1",
        "224.0.0.1",
    ],
    ids=["loopback", "private", "link-local", "ipv6-loopback", "unspecified", "lan", "multicast"],
)
def test_the_guard_refuses_addresses_that_are_not_public(settings, host) -> None:
    settings.CREDENTIAL_FETCH_ALLOW_PRIVATE = False
    did = f"did:web:{host}:issuers:x"

    result = verify_here(_credential(did))

    assert result.verdict == "cannot_confirm"
    assert _codes(result)["issuer_key"] == ("cannot_confirm", "address_refused")
    assert result.checks[2].detail.endswith(": không phải địa chỉ công cộng)")


def test_the_guard_refuses_a_name_that_resolves_to_a_private_address(settings) -> None:
    settings.CREDENTIAL_FETCH_ALLOW_PRIVATE = False

    with pytest.raises(resolution.AddressRefused, match="localhost → "):
        resolution.checked_address("localhost", 443)


def test_plain_http_is_refused_unless_allowed(settings) -> None:
    settings.CREDENTIAL_FETCH_ALLOW_HTTP = False

    with pytest.raises(resolution.FetchError, match="chỉ tải qua HTTPS"):
        resolution.json_fetch("http://example.com/did.json")
