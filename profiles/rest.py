"""The profiles API: thin views with explicit input and output serializers."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from learnprofile.access import CitizenApi, PublicApi, StaffApi
from learnprofile.api_errors import JSONParser
from profiles import selectors, services
from profiles.api import AuthenticatedRequest
from profiles.data import LearningCategory
from profiles.evidence import evidence_check
from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    DataRequest,
    Language,
    LearningRecord,
    Organization,
)
from profiles.phone import phone_parse
from profiles.services import learning
from profiles.services.privacy.export import data_export_request


class WardOutputSerializer(serializers.Serializer[AdministrativeUnit]):
    code = serializers.IntegerField()
    name = serializers.CharField()
    province = serializers.CharField(source="parent.name")


class WardListApi(PublicApi):
    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Accent-insensitive search")],
        responses=WardOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wards = selectors.ward_search(query=request.query_params.get("q", ""))
        # DRF's stubs type the instance as one object, even with many=True.
        return Response(WardOutputSerializer(wards, many=True).data)  # type: ignore[arg-type]


class ProfileOutputSerializer(serializers.Serializer[CitizenProfile]):
    public_id = serializers.UUIDField(source="user.public_id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField(help_text="E.164 (ITU-T), e.g. +84912345678; empty if none.")
    residence_ward_code = serializers.IntegerField(source="residence_ward.code", allow_null=True)
    preferred_language = serializers.CharField(source="user.preferred_language")
    national_id_last4 = serializers.CharField()


class ProfileUpdateOutputSerializer(ProfileOutputSerializer):
    phone_note = serializers.SerializerMethodField(
        help_text="Set when an old 11-digit mobile number was converted to today's number "
        "(2018 renumbering): a sentence to show the person, in their language; else empty."
    )

    def get_phone_note(self, profile: CitizenProfile) -> str:
        return str(self.context.get("phone_note", ""))


class ProfileInputSerializer(serializers.Serializer[dict[str, Any]]):
    full_name = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Vietnamese number in any usual form (0912 345 678, +84 912 345 678, "
        "+84 0912 345 678); stored in E.164; old 11-digit mobile numbers are converted.",
    )

    def validate_phone(self, value: str) -> str:
        if value.strip():
            phone_parse(value)  # a refusal (code invalid_phone) is reported on this field
        return value

    residence_ward_code = serializers.IntegerField(required=False, allow_null=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
    national_id = serializers.CharField(max_length=20, required=False, write_only=True)


class MyProfileApi(CitizenApi):
    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        profile = services.citizen_profile_ensure(user=user)
        return Response(ProfileOutputSerializer(profile).data)

    @extend_schema(request=ProfileInputSerializer, responses=ProfileUpdateOutputSerializer)
    def put(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        profile = services.citizen_profile_ensure(user=user)
        serializer = ProfileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        phone_number = phone_parse(data["phone"]) if data.get("phone", "").strip() else None
        ward = None
        if data.get("residence_ward_code") is not None:
            ward = AdministrativeUnit.objects.filter(
                level=AdministrativeUnit.Level.WARD, code=data["residence_ward_code"]
            ).first()
            if ward is None:
                raise ValidationError(
                    {"residence_ward_code": [_("Không có xã/phường nào có mã này.")]}
                )
        profile = services.citizen_profile_update(
            actor=user,
            profile=profile,
            full_name=data["full_name"],
            date_of_birth=data.get("date_of_birth"),
            phone=phone_number.e164 if phone_number is not None else "",
            residence_ward=ward,
            preferred_language=data.get("preferred_language", user.preferred_language),
            national_id=data.get("national_id"),
        )
        note = phone_number.note if phone_number is not None else ""
        return Response(ProfileUpdateOutputSerializer(profile, context={"phone_note": note}).data)


# --- The ledger ---------------------------------------------------------------------------


class LearningRecordOutputSerializer(serializers.Serializer[LearningRecord]):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    occurred_on = serializers.DateField()
    provider_organization = serializers.UUIDField(
        source="provider_organization.public_id", allow_null=True
    )
    provider_name = serializers.CharField()
    url = serializers.CharField()
    verification_status = serializers.CharField()
    verification_note = serializers.CharField()
    is_public = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, record: LearningRecord) -> list[dict[str, Any]]:
        return [
            {
                "id": str(item.public_id),
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
            }
            for item in record.evidence.all()
        ]


class SelfReportInputSerializer(serializers.Serializer[dict[str, Any]]):
    title = serializers.CharField(max_length=300)
    category = serializers.ChoiceField(choices=LearningCategory.choices)
    hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal(0), max_value=Decimal(10000)
    )
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    provider_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    verifier_organization = serializers.UUIDField(required=False, allow_null=True)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=5, allow_empty=True
    )


class MyLearningRecordListApi(CitizenApi):
    # The project's JSON parser: its limits, and its messages in the person's language.
    parser_classes = [JSONParser, MultiPartParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=False),
            OpenApiParameter("category", str, required=False, enum=LearningCategory.values),
        ],
        responses=LearningRecordOutputSerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        year = request.query_params.get("year")
        category = request.query_params.get("category") or None
        if year is not None and not (
            year.isascii() and year.isdigit() and 1900 <= int(year) <= 2100
        ):
            raise ValidationError({"year": [_("Năm không hợp lệ.")]})
        if category is not None and category not in LearningCategory.values:
            raise ValidationError({"category": [_("Lĩnh vực không hợp lệ.")]})
        records = selectors.learning_records_of(
            user=user, year=int(year) if year else None, category=category
        ).prefetch_related("evidence")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(records, request, view=self)
        return paginator.get_paginated_response(
            # DRF's stubs type the instance as one object, even with many=True.
            LearningRecordOutputSerializer(page, many=True).data  # type: ignore[arg-type]
        )

    @extend_schema(
        request={
            "multipart/form-data": SelfReportInputSerializer,
            "application/json": SelfReportInputSerializer,
        },
        responses={201: LearningRecordOutputSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Add self-reported learning, with optional evidence files (multipart)."""
        user = request.user
        serializer = SelfReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = None
        if data.get("verifier_organization"):
            organization = Organization.objects.filter(
                public_id=data["verifier_organization"], is_approved=True
            ).first()
            if organization is None:
                raise ValidationError(
                    {"verifier_organization": [_("Không có đơn vị nào với mã này.")]}
                )
        checked, errors = [], []
        for upload in data.get("evidence", []):
            try:
                checked.append(evidence_check(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError({"evidence": errors})
        record = learning.learning_record_self_report(
            actor=user,
            title=data["title"],
            category=data["category"],
            hours=data["hours"],
            started_on=data.get("started_on"),
            ended_on=data.get("ended_on"),
            provider_name=data.get("provider_name", ""),
            description=data.get("description", ""),
            url=data.get("url", ""),
            verifier_organization=organization,
            evidence=checked,
        )
        return Response(LearningRecordOutputSerializer(record).data, status=201)


class VerificationInputSerializer(serializers.Serializer[dict[str, Any]]):
    decision = serializers.ChoiceField(choices=["verify", "reject"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class StaffVerificationApi(StaffApi):
    @extend_schema(request=VerificationInputSerializer, responses=LearningRecordOutputSerializer)
    def post(self, request: AuthenticatedRequest, record_id: UUID) -> Response:
        """Verify or reject a self-reported record the actor's center was asked to verify.
        404 for any record outside that queue."""
        serializer = VerificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = learning.learning_record_decide(
            actor=request.user,
            record_id=record_id,
            is_verified=serializer.validated_data["decision"] == "verify",
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(LearningRecordOutputSerializer(record).data)


# --- Data requests ------------------------------------------------------------------------


class DataRequestOutputSerializer(serializers.Serializer[DataRequest]):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    acknowledge_by = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()
    scheduled_for = serializers.DateTimeField(allow_null=True)
    file_expires_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, data_request: DataRequest) -> str | None:
        if data_request.status != DataRequest.Status.READY:
            return None
        return reverse("export_download", kwargs={"request_id": data_request.public_id})


class MyDataRequestListApi(CitizenApi):
    @extend_schema(responses=DataRequestOutputSerializer(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        data_requests = selectors.data_requests_of(user=request.user)
        # DRF's stubs type the instance as one object, even with many=True.
        serializer = DataRequestOutputSerializer(data_requests, many=True)  # type: ignore[arg-type]
        return Response(serializer.data)


class MyDataExportApi(CitizenApi):
    @extend_schema(request=None, responses={202: DataRequestOutputSerializer})
    def post(self, request: AuthenticatedRequest) -> Response:
        """Ask for an export of everything held about me; built in the background."""
        user = request.user
        data_request = data_export_request(actor=user)
        return Response(DataRequestOutputSerializer(data_request).data, status=202)
