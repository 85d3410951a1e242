"""The credentials API: public verification (any OB 3.0 / VC 2.0 credential in, every check
out; no account; rate-limited per client address), and issuing and revoking for issuer
administrators."""

from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from credentials import selectors, verify
from credentials.models import IssuanceBatch
from credentials.services import batches, lookups, previews
from credentials.services.pipeline import batch_progress
from credentials.services.revocation import credential_revoke
from credentials.services.verification import VERIFY_MAX_BYTES, verify_here
from learnprofile.access import PublicApi, StaffApi
from learnprofile.throttling import ScopedRateThrottle
from profiles.api import AuthenticatedRequest


class CheckSerializer(serializers.Serializer[Any]):
    name = serializers.ChoiceField(choices=["schema", "proof", "issuer_key", "status", "validity"])
    outcome = serializers.ChoiceField(choices=[verify.PASSED, verify.FAILED, verify.UNKNOWN])
    detail = serializers.CharField()
    code = serializers.CharField()


class ProofOutcomeSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="1-based position in the credential's proof.")
    verification_method = serializers.CharField()
    cryptosuite = serializers.CharField()
    proof_purpose = serializers.CharField()
    is_by_issuer = serializers.BooleanField(
        help_text="The verification method's DID is the credential's issuer."
    )
    outcome = serializers.ChoiceField(choices=[verify.PASSED, verify.FAILED, verify.UNKNOWN])
    code = serializers.CharField()
    detail = serializers.CharField()


class VerificationSerializer(serializers.Serializer[Any]):
    verdict = serializers.ChoiceField(
        choices=["valid", "revoked", "expired", "not_yet_valid", "invalid", "cannot_confirm"]
    )
    schema = serializers.ChoiceField(
        choices=["achievement", "endorsement", ""],
        help_text=(
            "The OB 3.0 schema checked: achievement (OpenBadgeCredential, "
            "AchievementCredential), endorsement (EndorsementCredential), or empty: a VC 2.0 "
            "credential that is not an Open Badge (the VC 2.0 data model is checked for all)."
        ),
    )
    checks = CheckSerializer(many=True)
    proofs = ProofOutcomeSerializer(many=True)


class CredentialVerifyApi(PublicApi):
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "credential_verify"
    # As the /verify/ page: a credential is a few KB.
    max_body_bytes = VERIFY_MAX_BYTES
    # A signed document: NFC would change what was signed (decision 0009).
    text_as_sent = True

    @extend_schema(
        summary="Verify any Open Badges 3.0 / VC 2.0 credential",
        description=(
            "The body is the credential itself (JSON). Checks: the VC 2.0 data model and the "
            "OB 3.0 schema its type names (`schema` says which); every proof (eddsa-rdfc-2022; "
            "`proof` an object or an array), reported one by one: the credential is signed "
            "when a proof with a key of the issuer and purpose assertionMethod verifies and "
            "none fails; the key bound to the issuer (did:key, did:web of this platform or, "
            "fetched over HTTPS, of another host); status (Bitstring Status List); validity "
            "window. A key or a status list that cannot be fetched gives cannot_confirm, never "
            "valid nor invalid. Rate-limited."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses=VerificationSerializer,
        examples=[
            OpenApiExample(
                "Result",
                response_only=True,
                value={
                    "verdict": "valid",
                    "schema": "achievement",
                    "checks": [
                        {"name": "schema", "outcome": "passed", "detail": "", "code": ""},
                        {"name": "proof", "outcome": "passed", "detail": "", "code": ""},
                        {"name": "issuer_key", "outcome": "passed", "detail": "", "code": ""},
                        {"name": "status", "outcome": "passed", "detail": "", "code": ""},
                        {"name": "validity", "outcome": "passed", "detail": "", "code": ""},
                    ],
                    "proofs": [
                        {
                            "index": 1,
                            "verification_method": "did:web:hoctap.gov.vn:issuers:tt#z6Mk...",
                            "cryptosuite": "eddsa-rdfc-2022",
                            "proof_purpose": "assertionMethod",
                            "is_by_issuer": True,
                            "outcome": "passed",
                            "code": "",
                            "detail": "",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        result = verify_here(request.data)
        return Response(VerificationSerializer(result).data)


# --- Issuer administrators (MFA required; 403 for everyone else) ----------------------------


class IssueInputSerializer(serializers.Serializer[Any]):
    contact = serializers.CharField(
        required=False, max_length=254, help_text="Email or phone of one learner."
    )
    offering = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The offering completed. Alone (without contact): all its completers.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=batches.REASON_MAX_LENGTH,
        help_text=(
            "Why the learner is issued without a class (a contact without an offering): "
            f"required then, {batches.REASON_MIN_LENGTH} to {batches.REASON_MAX_LENGTH} "
            "characters; kept on the batch and audited. Ignored with an offering."
        ),
    )
    confirm_reason = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "The administrator confirms the reason for a learner who was never in a class of "
            "the organization; without it such a learner is refused (409 "
            "no_tie_to_organization)."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("contact") and not attrs.get("offering"):
            raise serializers.ValidationError(
                _("Hãy cho biết người học (contact) hoặc lớp học (offering).")
            )
        return attrs


class BatchSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    # A field named like Field.source: DRF's metaclass moves it into _declared_fields; the
    # stubs see it as the attribute.
    source = serializers.CharField()  # type: ignore[assignment]
    progress = serializers.DictField(child=serializers.IntegerField())


def _batch_data(batch: IssuanceBatch) -> dict[str, Any]:
    return BatchSerializer(
        {"public_id": batch.public_id, "source": batch.source, "progress": batch_progress(batch)}
    ).data


class IssueApi(StaffApi):
    # Looking learners up by a contact is limited per administrator (lookups.LOOKUPS).
    error_statuses = (429,)

    @extend_schema(
        summary="Issue an achievement: to one learner, or to an offering's completers",
        request=IssueInputSerializer,
        responses={202: BatchSerializer},
        description=(
            "Creates a batch of issuance requests that workers sign; poll the batch for "
            "progress. Eligibility is checked again when each credential is signed; a "
            "refusal is kept with its reason. A contact that is not a valid e-mail address or "
            "phone number, or a phone number several people share, is a 400 on `contact` "
            "saying so; one that names nobody, 404. A learner is found only by an exact e-mail "
            "address or phone number. A contact without an offering issues without a class: "
            "it needs `reason` (400 reason_required, checked before anyone is looked up), and "
            "a learner never in a class of the organization needs `confirm_reason: true` too "
            "(409 no_tie_to_organization); each such issuance is audited with its reason. "
            "An `offering` must be a class of the achievement's organization, of a course the "
            "achievement rewards: any other is 404 (not_found), before anyone is looked up. "
            "Looking a learner up by a contact is audited and limited per administrator (60 "
            "an hour, then growing waits: 429 too_many_lookups with Retry-After). "
            "Issuer administrators of the achievement's organization only (403 for others, "
            "404 for another organization's achievement)."
        ),
    )
    def post(self, request: AuthenticatedRequest, achievement_id: UUID) -> Response:
        achievement = selectors.achievement_for_issuer(
            actor=request.user, achievement_id=achievement_id
        )
        serializer = IssueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = serializer.validated_data.get("contact")
        offering_id = serializer.validated_data.get("offering")
        reason = serializer.validated_data.get("reason", "")
        if contact and offering_id is None:
            # Refused before anyone is looked up (batch_create checks it again).
            reason = batches.reason_clean(reason)
        if contact:
            # The class is checked before anyone is looked up; each look-up is counted
            # (429 too_many_lookups past the limit) and audited.
            previews.offerings_check(achievement=achievement, offering_ids={offering_id})
            lookups.contacts_lookup_start(actor=request.user, count=1)
            preview = previews.preview_contacts(
                achievement=achievement, rows=[(1, contact.strip(), offering_id)]
            )
            source = IssuanceBatch.Source.SINGLE
            lookups.contacts_lookup_audit(
                actor=request.user, achievement=achievement, source=source, preview=preview
            )
            row = preview.rows[0]
            if row.outcome in (previews.Outcome.INVALID_CONTACT, previews.Outcome.SHARED_PHONE):
                # Why this contact names no one learner (a typing mistake, or a number a
                # household shares), on its field, as the issuer's page says it.
                raise serializers.ValidationError({"contact": [row.label]})
            if not row.learner_id:
                raise NotFound(_("Không tìm thấy người học."))
            rows = [(preview.rows[0].learner_id, offering_id)]
        else:
            preview = previews.preview_offering(achievement=achievement, offering_id=offering_id)
            source = IssuanceBatch.Source.OFFERING
            rows = [(row.learner_id, offering_id) for row in preview.to_issue]
        batch = batches.batch_create(
            actor=request.user,
            achievement=achievement,
            source=source,
            rows=rows,  # type: ignore[arg-type]
            offering_id=offering_id if source == IssuanceBatch.Source.OFFERING else None,
            reason=reason,
            reason_confirmed=serializer.validated_data["confirm_reason"],
        )
        return Response(_batch_data(batch), status=202)


class BatchApi(StaffApi):
    @extend_schema(summary="Progress of an issuance batch", responses=BatchSerializer)
    def get(self, request: AuthenticatedRequest, batch_id: UUID) -> Response:
        batch = selectors.batch_for_issuer(actor=request.user, batch_id=batch_id)
        return Response(_batch_data(batch))


class RevokeInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class RevokeApi(StaffApi):
    @extend_schema(
        summary="Revoke a credential, with a reason",
        request=RevokeInputSerializer,
        responses=inline_serializer(
            "Revoked",
            fields={"id": serializers.UUIDField(), "revoked_at": serializers.DateTimeField()},
        ),
    )
    def post(self, request: AuthenticatedRequest, credential_id: UUID) -> Response:
        credential = selectors.credential_for_issuer(
            actor=request.user, credential_id=credential_id
        )
        serializer = RevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revoked = credential_revoke(
            actor=request.user,
            credential_id=credential.public_id,
            reason=serializer.validated_data["reason"],
        )
        return Response({"id": revoked.public_id, "revoked_at": revoked.revoked_at})
