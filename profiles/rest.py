"""The profiles API: thin views with explicit input and output serializers."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles import selectors, services
from profiles.models import AdministrativeUnit, CitizenProfile, Language, User


class WardOutputSerializer(serializers.Serializer[AdministrativeUnit]):
    code = serializers.IntegerField()
    name = serializers.CharField()
    province = serializers.CharField(source="parent.name")


class WardListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Accent-insensitive search")],
        responses=WardOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wards = selectors.ward_search(query=request.query_params.get("q", ""))
        return Response(WardOutputSerializer(wards, many=True).data)


class ProfileOutputSerializer(serializers.Serializer[CitizenProfile]):
    public_id = serializers.UUIDField(source="user.public_id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    residence_ward_code = serializers.IntegerField(source="residence_ward.code", allow_null=True)
    preferred_language = serializers.CharField(source="user.preferred_language")
    national_id_last4 = serializers.CharField()


class ProfileInputSerializer(serializers.Serializer[dict[str, Any]]):
    full_name = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    residence_ward_code = serializers.IntegerField(required=False, allow_null=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
    national_id = serializers.CharField(max_length=20, required=False, write_only=True)


class MyProfileApi(APIView):
    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        profile = services.citizen_profile_ensure(user=user)
        return Response(ProfileOutputSerializer(profile).data)

    @extend_schema(request=ProfileInputSerializer, responses=ProfileOutputSerializer)
    def put(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        profile = services.citizen_profile_ensure(user=user)
        serializer = ProfileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
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
            phone=data.get("phone", ""),
            residence_ward=ward,
            preferred_language=data.get("preferred_language", user.preferred_language),
            national_id=data.get("national_id"),
        )
        return Response(ProfileOutputSerializer(profile).data)
