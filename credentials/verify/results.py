"""What a verification reports (outcomes, checks, proofs, the verdict) and the errors the
key and status resolvers it is given raise."""

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PASSED, FAILED, UNKNOWN = "passed", "failed", "cannot_confirm"


class KeyProblem(Exception):
    """The key of a verification method could not be had; `code` for programs, `reason` a
    short technical detail (an HTTP status, an address) shown with the message."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(f"{code}: {reason}" if reason else code)
        self.code = code
        self.reason = reason


class KeyNotListed(KeyProblem):
    """The DID was resolved (or is this platform's own) and does not make this key one of its
    assertion methods, or names no such issuer: the proof is invalid."""


class KeyUnavailable(KeyProblem):
    """The key could not be fetched (host down, refused address, bad answer), or this kind of
    identifier is not resolved here: the proof cannot be confirmed, it is not invalid."""


class StatusUnavailable(Exception):
    """A status list that cannot be read or trusted; the message says why."""


# A verification method id (`did:key:z6Mk...`, `did:web:host:path#key`) -> its Ed25519 key,
# only if the DID lists it under assertionMethod. Raises KeyNotListed or KeyUnavailable.
KeyResolver = Callable[[str], Ed25519PublicKey]
# A status list credential's URL -> its bitstring. None, or StatusUnavailable with the reason,
# when it cannot be read.
StatusReader = Callable[[str], bytes | None]


@dataclass
class Check:
    name: str
    outcome: str
    detail: str = ""  # for people, in the active language
    code: str = ""  # for programs: expired, not_yet_valid, revoked, ...


@dataclass
class ProofReport:
    """The outcome of one proof of the credential."""

    index: int  # 1-based, in the order of the credential's `proof`
    verification_method: str
    cryptosuite: str
    proof_purpose: str
    is_by_issuer: bool
    outcome: str  # passed | failed | cannot_confirm
    code: str = ""
    detail: str = ""
    key_outcome: str = UNKNOWN  # whether the key resolved as one its DID signs with


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    proofs: list[ProofReport] = field(default_factory=list)
    # The OB 3.0 schema the credential was checked against: achievement, endorsement, or ""
    # for a verifiable credential that is not an Open Badge.
    schema: str = ""
    verdict: str = "valid"  # valid | revoked | expired | not_yet_valid | invalid | cannot_confirm

    def add(self, name: str, outcome: str, detail: str = "", code: str = "") -> None:
        self.checks.append(Check(name, outcome, detail, code))
