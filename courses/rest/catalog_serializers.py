"""The catalog API's input and output serializers, and the public search's filters."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from courses import selectors
from courses.models import Course, CourseMode, Enrollment, Offering, Session
from courses.selectors import SORTS
from profiles.data import LearningCategory

# Enrollment windows are accepted within these years (inclusive).
ERA_YEARS = (2000, 2100)


# --- Output ---------------------------------------------------------------------------------


class PlaceOutputSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField()
    name = serializers.CharField()


class CourseSummarySerializer(serializers.Serializer[Course]):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    summary = serializers.CharField()
    category = serializers.CharField()
    level = serializers.CharField()
    language = serializers.CharField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    mode = serializers.CharField()
    fee = serializers.IntegerField()
    provider = serializers.CharField(source="provider.name")


class SessionOutputSerializer(serializers.Serializer[Session]):
    id = serializers.UUIDField(source="public_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    room = serializers.CharField()


class OfferingOutputSerializer(serializers.Serializer[Offering]):
    id = serializers.UUIDField(source="public_id")
    course = CourseSummarySerializer()
    venue = serializers.CharField()
    ward = PlaceOutputSerializer()
    province = PlaceOutputSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    status = serializers.CharField()
    enrollment_opens_at = serializers.DateTimeField(allow_null=True)
    enrollment_closes_at = serializers.DateTimeField(allow_null=True)
    minimum_attendance_percent = serializers.IntegerField()
    requires_assessment = serializers.BooleanField()


class OfferingDetailSerializer(OfferingOutputSerializer):
    sessions = SessionOutputSerializer(many=True)


class CourseDetailSerializer(CourseSummarySerializer):
    description = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    audience = serializers.CharField()
    is_published = serializers.BooleanField()


class EnrollmentOutputSerializer(serializers.Serializer[Enrollment]):
    id = serializers.UUIDField(source="public_id")
    offering = serializers.UUIDField(source="offering.public_id")
    course = serializers.CharField(source="offering.course.title")
    status = serializers.CharField()
    waitlist_position = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_waitlist_position(self, enrollment: Enrollment) -> int | None:
        positions = self.context.get("waitlist_positions")
        if positions is None:
            positions = selectors.waitlist_positions([enrollment])
        return positions.get(enrollment.pk)


# --- Input ----------------------------------------------------------------------------------


class OfferingFilter(django_filters.FilterSet):
    """The catalog's filters; the query itself runs in selectors.catalog_search."""

    q = django_filters.CharFilter(max_length=200, help_text=_("Tìm không dấu hay có dấu"))
    province = django_filters.NumberFilter(min_value=1, help_text=_("Mã tỉnh/thành phố"))
    ward = django_filters.NumberFilter(min_value=1, help_text=_("Mã xã/phường"))
    category = django_filters.ChoiceFilter(choices=LearningCategory.choices)
    mode = django_filters.ChoiceFilter(choices=CourseMode.choices)
    free = django_filters.BooleanFilter()
    starts_within_days = django_filters.NumberFilter(min_value=0, max_value=366)
    has_seats = django_filters.BooleanFilter()
    sort = django_filters.ChoiceFilter(choices=[(sort, sort) for sort in SORTS])

    class Meta:
        model = Offering
        fields: list[str] = []


class CourseInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=LearningCategory.choices)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )
    level = serializers.ChoiceField(choices=Course._meta.get_field("level").choices, required=False)
    language = serializers.ChoiceField(
        choices=Course._meta.get_field("language").choices, required=False
    )
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"))
    mode = serializers.ChoiceField(choices=CourseMode.choices, required=False)
    fee = serializers.IntegerField(min_value=0, max_value=1_000_000_000, required=False)
    audience = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CourseCreateInputSerializer(CourseInputSerializer):
    provider = serializers.UUIDField(help_text="public id of a center you manage")


def _in_this_era(moment: datetime) -> None:
    # Also what the API can write back: times are written in Vietnam's zone, whose offset
    # before 1906 (local mean time, +07:06:40) has seconds, which RFC 3339 cannot write.
    if not ERA_YEARS[0] <= moment.year <= ERA_YEARS[1]:
        raise serializers.ValidationError(
            _("Hãy chọn một thời điểm từ năm %(first)s đến năm %(last)s.")
            % {"first": ERA_YEARS[0], "last": ERA_YEARS[1]}
        )


class OfferingInputSerializer(serializers.Serializer[Any]):
    ward = serializers.IntegerField(min_value=1, help_text="ward code")
    venue = serializers.CharField(max_length=300)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1, max_value=10000)
    enrollment_opens_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[_in_this_era]
    )
    enrollment_closes_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[_in_this_era]
    )
    minimum_attendance_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False
    )
    requires_assessment = serializers.BooleanField(required=False)


class OfferingCancelInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)
