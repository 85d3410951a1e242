"""The public verification API: any OB 3.0 / VC 2.0 credential in, every check out. No account;
rate-limited per client address."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from credentials import verify
from credentials.services.verification import verify_here


class CheckSerializer(serializers.Serializer[Any]):
    name = serializers.ChoiceField(choices=["schema", "proof", "issuer_key", "status", "validity"])
    outcome = serializers.ChoiceField(choices=[verify.PASSED, verify.FAILED, verify.UNKNOWN])
    detail = serializers.CharField()
    code = serializers.CharField()


class CredentialVerifyApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "credential_verify"

    @extend_schema(
        summary="Verify any Open Badges 3.0 / VC 2.0 credential",
        description=(
            "The body is the credential itself (JSON). Checks: JSON schema, proof "
            "(eddsa-rdfc-2022), key bound to the issuer (did:key, or did:web of this platform), "
            "status (Bitstring Status List; unreadable gives cannot_confirm, never valid), "
            "validity window. Rate-limited."
        ),
        request=inline_serializer("CredentialInput", fields={}),
        responses=inline_serializer(
            "Verification",
            fields={
                "verdict": serializers.ChoiceField(
                    choices=[
                        "valid",
                        "revoked",
                        "expired",
                        "not_yet_valid",
                        "invalid",
                        "cannot_confirm",
                    ]
                ),
                "checks": CheckSerializer(many=True),
            },
        ),
        examples=[OpenApiExample("Result", response_only=True, value={"verdict": "valid"})],
    )
    def post(self, request: Request) -> Response:
        result = verify_here(request.data)
        return Response(
            {
                "verdict": result.verdict,
                "checks": CheckSerializer(result.checks, many=True).data,
            }
        )
