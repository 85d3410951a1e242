"""The Open Badges 3.0 credential document (an `OpenBadgeCredential` on the VC 2.0 data model)
built from plain values, and its check against the published JSON schema.

The learner is identified by a salted hash of their email address or phone number (OB 3.0
`IdentityObject`), never in clear: anyone who knows the address can check it, nobody can read
it. Their full name (NFC) is signed in clear beside it, as an `IdentityObject` of
`identityType` "name" with `hashed` false: the page, the PDF and the e-mail print the name that
was signed, never the profile's name of today. The attendance rate is a `result` described by the achievement's `resultDescription`.
"""

import hashlib
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

from learnprofile.text import person_name_normalise

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
# The OB 3.0 JSON schemas shipped (unmodified copies of ../shared/standards), by name.
SCHEMA_FILES = {
    "achievement": "achievementcredential.schema.json",
    "endorsement": "endorsementcredential.schema.json",
}
SCHEMA_FILE = SCHEMA_DIR / SCHEMA_FILES["achievement"]
# The results a credential of this platform signs, by the fragment of their description's id.
ATTENDANCE_RESULT = "#attendance"
HOURS_RESULT = "#hours"
IDENTITY_TYPES = {"email": "emailAddress", "phone": "ext:phoneNumber"}


@dataclass(frozen=True)
class IssuerInfo:
    id: str  # the issuer's DID
    name: str
    url: str


@dataclass(frozen=True)
class AchievementInfo:
    id: str
    name: str
    description: str
    criteria: str
    achievement_type: str = "CertificateOfCompletion"
    language: str = "vi"
    credits: Decimal | None = None
    image_url: str | None = None
    hours: Decimal | None = None  # learning hours of the achievement, signed as a result


@dataclass(frozen=True)
class SubjectInfo:
    identity_kind: str  # "email" or "phone"
    identity: str  # already normalised: lower-case email, or +84... phone
    salt: str
    attendance_percent: Decimal | None = None
    name: str = ""  # the holder's full name, signed in clear (NFC)


@dataclass(frozen=True)
class StatusInfo:
    list_credential: str
    index: int


def identity_salt() -> str:
    return secrets.token_hex(16)


def identity_hash(identity: str, salt: str) -> str:
    """OB 3.0: "sha256$" + hex SHA-256 of the identity followed by the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def xsd_datetime(value: datetime) -> str:
    """An aware datetime as the credentials sign it: XML Schema dateTimeStamp in UTC, to the
    second ("2026-11-29T22:19:00Z"). A naive datetime is taken as UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_build(
    *,
    credential_id: str,
    issuer: IssuerInfo,
    achievement: AchievementInfo,
    subject: SubjectInfo,
    valid_from: datetime,
    valid_until: datetime | None = None,
    evidence_url: str | None = None,
    evidence_name: str = "",
    status: StatusInfo | None = None,
) -> dict[str, Any]:
    """The unsigned credential. Times must be UTC."""
    document: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url},
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": _credential_subject(achievement, subject),
        # OB 3.0 names the type 1EdTechJsonSchemaValidator2019, which no shipped context
        # defines: safe mode refuses it (JSON-LD would drop it from what is signed). VC 2.0's
        # JsonSchema names the same check and is defined, so it is signed.
        "credentialSchema": [{"id": SCHEMA_URL, "type": "JsonSchema"}],
    }
    if valid_until is not None:
        document["validUntil"] = xsd_datetime(valid_until)
    if evidence_url is not None:
        document["evidence"] = [
            {"id": evidence_url, "type": ["Evidence"], "name": evidence_name or achievement.name}
        ]
    if status is not None:
        document["credentialStatus"] = {
            "id": f"{status.list_credential}#{status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status.index),
            "statusListCredential": status.list_credential,
        }
    return document


def _achievement_document(achievement: AchievementInfo) -> dict[str, Any]:
    """The OB 3.0 `Achievement`, with the descriptions of the results it signs (attendance;
    learning hours when it has some)."""
    document: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria},
        "inLanguage": achievement.language,
        "resultDescription": [
            {
                "id": f"{achievement.id}{ATTENDANCE_RESULT}",
                "type": ["ResultDescription"],
                "name": "Tỷ lệ chuyên cần / Attendance rate",
                "resultType": "Percent",
            }
        ],
    }
    if achievement.hours:
        document["resultDescription"].append(
            {
                "id": f"{achievement.id}{HOURS_RESULT}",
                "type": ["ResultDescription"],
                "name": "Số giờ học / Learning hours",
                "resultType": "ext:LearningHours",
            }
        )
    if achievement.image_url is not None:
        document["image"] = {"id": achievement.image_url, "type": "Image"}
    if achievement.credits is not None:
        document["creditsAvailable"] = float(achievement.credits)
    return document


def _credential_subject(achievement: AchievementInfo, subject: SubjectInfo) -> dict[str, Any]:
    """The OB 3.0 `AchievementSubject`: the holder's hashed identity, their name in clear
    (when there is one), the achievement and the results."""
    credential_subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": IDENTITY_TYPES[subject.identity_kind],
                "hashed": True,
                "identityHash": identity_hash(subject.identity, subject.salt),
                "salt": subject.salt,
            }
        ],
        "achievement": _achievement_document(achievement),
    }
    name = person_name_normalise(subject.name)
    if name:
        credential_subject["identifier"].append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": name,
            }
        )
    results = _results(achievement, subject)
    if results:
        credential_subject["result"] = results
    return credential_subject


def _results(achievement: AchievementInfo, subject: SubjectInfo) -> list[dict[str, Any]]:
    """The signed `Result`s: the attendance percent (one decimal), the learning hours."""
    results = []
    if subject.attendance_percent is not None:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{achievement.id}{ATTENDANCE_RESULT}",
                "value": f"{subject.attendance_percent:.1f}",
            }
        )
    if achievement.hours:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{achievement.id}{HOURS_RESULT}",
                "value": format(achievement.hours.normalize(), "f"),
            }
        )
    return results


def holder_name(document: Any) -> str | None:
    """The holder's name as signed in the credential (OB 3.0 `IdentityObject`, identityType
    "name", not hashed), NFC; None when the document signs no name (credentials issued before
    names were signed, or another issuer's). Safe on any JSON value."""
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    if isinstance(identifiers, dict):
        identifiers = [identifiers]
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if (
            isinstance(identifier, dict)
            and identifier.get("identityType") == "name"
            and identifier.get("hashed") is False
            and isinstance(identifier.get("identityHash"), str)
            and identifier["identityHash"].strip()
        ):
            return unicodedata.normalize("NFC", identifier["identityHash"].strip())
    return None


def result_value(document: Any, fragment: str) -> str | None:
    """The signed value of the result described by `<achievement id><fragment>` (e.g.
    ATTENDANCE_RESULT: "95.0", a percent; HOURS_RESULT: "30", hours), or None. Safe on any
    JSON value."""
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    results = subject.get("result") if isinstance(subject, dict) else None
    for result in results if isinstance(results, list) else []:
        if (
            isinstance(result, dict)
            and isinstance(result.get("resultDescription"), str)
            and result["resultDescription"].endswith(fragment)
            and isinstance(result.get("value"), str)
        ):
            return str(result["value"])
    return None


@cache
def _validator(name: str) -> Draft201909Validator:
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[name]).read_text())
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(document: dict[str, Any], name: str = "achievement") -> list[str]:
    """What makes the document invalid against an OB 3.0 JSON schema (SCHEMA_FILES: the
    AchievementCredential schema unless `name` says "endorsement"), as "path: message"."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path))
    ]
