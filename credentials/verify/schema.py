"""The `schema` check: the VC 2.0 data model, then the OB 3.0 schema the credential's type
names (achievement, endorsement, or none)."""

from typing import Any

from django.utils.translation import gettext as _

from credentials import documents
from credentials.verify.results import FAILED, PASSED, Verification
from credentials.verify.values import URL, as_list, issuer_id, parse_time, types_of

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Which OB 3.0 schema a credential's type asks for; the first match wins.
SCHEMAS = (
    ("achievement", ("OpenBadgeCredential", "AchievementCredential")),
    ("endorsement", ("EndorsementCredential",)),
)


def data_model_errors(document: dict[str, Any]) -> list[str]:
    """What the document lacks to be a VC 2.0 credential (VC Data Model 2.0, section 4)."""
    errors = []
    contexts = as_list(document.get("@context"))
    if not contexts or contexts[0] != VC_CONTEXT:
        errors.append(f"@context: the first item must be {VC_CONTEXT}")
    if "VerifiableCredential" not in types_of(document):
        errors.append("type: must include VerifiableCredential")
    if "id" in document and not (isinstance(document["id"], str) and URL.fullmatch(document["id"])):
        errors.append("id: must be a URL")
    issuer = issuer_id(document)
    if issuer is None or not URL.fullmatch(issuer):
        errors.append("issuer: must be a URL or an object whose id is a URL")
    subjects = as_list(document.get("credentialSubject"))
    if not subjects or not all(isinstance(subject, dict) and subject for subject in subjects):
        errors.append("credentialSubject: must be one or more non-empty objects")
    for name in ("validFrom", "validUntil"):
        if name in document and parse_time(document[name]) is None:
            errors.append(f"{name}: must be an XML Schema dateTimeStamp")
    valid_from = parse_time(document.get("validFrom"))
    valid_until = parse_time(document.get("validUntil"))
    if valid_from and valid_until and valid_from > valid_until:
        errors.append("validUntil: must not be before validFrom")
    return errors


def schema_for(document: dict[str, Any]) -> str:
    """The OB 3.0 schema a credential's type asks for, or "" for none."""
    types = types_of(document)
    for name, type_names in SCHEMAS:
        if any(type_name in types for type_name in type_names):
            return name
    return ""


def schema_errors(document: dict[str, Any], name: str) -> list[str]:
    """What makes the document invalid against an OB 3.0 schema. A single proof object is
    read as a one-proof array: the OB schemas want the array, VC 2.0 and Data Integrity
    allow both, and how the proofs are written changes nothing that was signed."""
    if isinstance(document.get("proof"), dict):
        document = {**document, "proof": [document["proof"]]}
    return documents.schema_errors(document, name)


SCHEMA_NAMES = {
    "achievement": "Open Badges 3.0 AchievementCredential",
    "endorsement": "Open Badges 3.0 EndorsementCredential",
}


def check_schema(document: dict[str, Any], result: Verification) -> None:
    errors = data_model_errors(document)
    if errors:
        result.add(
            "schema",
            FAILED,
            _("Không đúng mô hình dữ liệu Verifiable Credentials 2.0: %(errors)s")
            % {"errors": "; ".join(errors[:5])},
            "data_model_mismatch",
        )
        return
    result.schema = schema_for(document)
    if not result.schema:
        result.add(
            "schema",
            PASSED,
            _("Một chứng nhận số (Verifiable Credential) hợp lệ, không phải Open Badge."),
            "not_an_open_badge",
        )
        return
    errors = schema_errors(document, result.schema)
    if errors:
        result.add(
            "schema",
            FAILED,
            _("Không đúng lược đồ %(schema)s: %(errors)s")
            % {"schema": SCHEMA_NAMES[result.schema], "errors": "; ".join(errors[:5])},
            "schema_mismatch",
        )
    else:
        result.add(
            "schema",
            PASSED,
            _("Đúng lược đồ %(schema)s.") % {"schema": SCHEMA_NAMES[result.schema]},
        )
