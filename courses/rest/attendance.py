"""The attendance API: my center's sessions, a roster, bulk marking, the offline batch sync,
QR check-in and walk-in registration. Thin views: services decide and check every id against
the actor's centers; a refused batch writes nothing.

Staff endpoints require two-step verification, like the /staff/ pages.
"""

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from courses import permissions, selectors
from courses.models import ATTENDANCE_STATUS_VALUES, AttendanceStatus, MarkSource
from courses.services import attendance, checkin, walk_ins
from learnprofile.access import CitizenApi, StaffApi
from learnprofile.api_schema import API_ERROR
from learnprofile.client_address import client_address
from learnprofile.formatting import number_for_people
from learnprofile.text import typed_code_normalise
from profiles import api as profiles_api

SYNC_MAX_MARKS = 2000


# --- Output ---------------------------------------------------------------------------------


class StaffSessionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    offering = serializers.UUIDField(source="offering.public_id")
    course = serializers.CharField(source="offering.course.title")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    room = serializers.CharField()


class RosterRowSerializer(serializers.Serializer[Any]):
    enrollment = serializers.UUIDField(source="enrollment.public_id")
    full_name = serializers.SerializerMethodField()
    is_walk_in = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    def get_full_name(self, row: selectors.RosterRow) -> str:
        return row.person.full_name if row.person else ""

    def get_is_walk_in(self, row: selectors.RosterRow) -> bool:
        return bool(row.person and row.person.is_assisted)

    def get_status(self, row: selectors.RosterRow) -> str | None:
        return row.mark.status if row.mark else None

    def get_note(self, row: selectors.RosterRow) -> str:
        return row.mark.note if row.mark else ""


class MarkReportSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    superseded = serializers.IntegerField()
    conflicts = serializers.IntegerField()


# --- Staff ----------------------------------------------------------------------------------


class StaffSessionListApi(StaffApi):
    @extend_schema(
        summary="Sessions of my centers, today and the next 7 days",
        responses=StaffSessionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        organization_ids = permissions.center_organization_ids(request.user)
        sessions = selectors.staff_sessions(organization_ids=organization_ids, now=timezone.now())
        return Response(StaffSessionSerializer(sessions, many=True).data)


class SessionRosterApi(StaffApi):
    @extend_schema(
        summary="A session's roster with each mark", responses=RosterRowSerializer(many=True)
    )
    def get(self, request: Request, session_id: UUID) -> Response:
        session = attendance.session_for_staff(actor=request.user, session_id=session_id)
        return Response(
            RosterRowSerializer(selectors.session_roster(session=session), many=True).data
        )


class MarkInputSerializer(serializers.Serializer[Any]):
    enrollment = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BulkMarksInputSerializer(serializers.Serializer[Any]):
    marks = MarkInputSerializer(
        many=True, allow_empty=False, max_length=attendance.MAX_MARKS_PER_REQUEST
    )


class SessionMarksApi(StaffApi):
    @extend_schema(
        summary="Mark a whole roster in one transaction",
        description=(
            "All marks or none: an enrollment that is not in this session's class refuses the "
            "whole request (403, audited). Sending the same marks again changes nothing."
        ),
        request=BulkMarksInputSerializer,
        responses={200: MarkReportSerializer, 422: API_ERROR},
    )
    def post(self, request: Request, session_id: UUID) -> Response:
        session = attendance.session_for_staff(actor=request.user, session_id=session_id)
        serializer = BulkMarksInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = attendance.marks_record(
            actor=request.user,
            marks=[
                attendance.MarkInput(
                    session_id=session.public_id,
                    enrollment_id=mark["enrollment"],
                    status=mark["status"],
                    note=mark["note"],
                )
                for mark in serializer.validated_data["marks"]
            ],
            source=MarkSource.API,
        )
        return Response(MarkReportSerializer(report).data)


class SyncMarkSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="Made by the device for this mark; a repeat is ignored.")
    session = serializers.UUIDField()
    enrollment = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    # An explicit zone: DRF would otherwise ask Django for the current one for every mark.
    marked_at = serializers.DateTimeField(
        default_timezone=UTC, help_text="When the mark was made on the device (ISO 8601)."
    )


class SyncInputSerializer(serializers.Serializer[Any]):
    marks = SyncMarkSerializer(many=True, allow_empty=False, max_length=SYNC_MAX_MARKS)


class SyncResultSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    result = serializers.ChoiceField(
        choices=["applied", "unchanged", "duplicate", "superseded"],
        help_text=(
            "applied: written; unchanged: the server already had this mark; duplicate: this id "
            "was synced before; superseded: a mark made later on another device was kept."
        ),
    )


class SyncOutputSerializer(MarkReportSerializer):
    results = SyncResultSerializer(many=True)


class AttendanceSyncApi(StaffApi):
    @extend_schema(
        summary="Sync a tablet's offline marks (idempotent batch)",
        description=(
            "The contract for offline capture. Each mark carries a UUID made by the device "
            "and the device's time. A batch is one transaction: every session and enrollment "
            "must belong to the caller's centers, else the whole batch is refused (403, "
            "audited) and nothing is written. A UUID seen before changes nothing ('duplicate'), "
            "so a batch may be sent again after a lost response. Two different marks for the "
            "same learner and session: the one made last on its device wins; the other is kept "
            "in the history as a conflict. Device times later than the server's are taken as "
            "the server's time. At most 2,000 marks per batch."
        ),
        request=SyncInputSerializer,
        responses={200: SyncOutputSerializer, 422: API_ERROR},
        examples=[
            OpenApiExample(
                "One offline mark",
                request_only=True,
                value={
                    "marks": [
                        {
                            "id": "0b7f3c52-58a4-4a0e-9a51-3d1a3c2f5e10",
                            "session": "2f1e0c8a-1111-4f7e-8c1d-6a2b9e4d7c01",
                            "enrollment": "7c4d2e1f-2222-4b8a-9e3f-1d5c6b7a8e02",
                            "status": "present",
                            "note": "",
                            "marked_at": "2026-11-23T08:05:00+07:00",
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        marks = sync_marks_parse(request.data)
        report = attendance.marks_record(actor=request.user, marks=marks, source=MarkSource.OFFLINE)
        body = MarkReportSerializer(report).data
        body["results"] = [
            {"id": str(mark.client_id), "result": report.results.get(mark.client_id, "duplicate")}  # type: ignore[arg-type]
            for mark in marks
        ]
        return Response(body)


def sync_marks_parse(data: Any) -> list[attendance.MarkInput]:
    """Validate a sync batch as SyncInputSerializer describes it, by hand: DRF validates
    field by field at about 60 microseconds a mark (over 0.1 s for a full batch), and this is
    the path every tablet takes when its network returns. Errors keep the API's format:
    {"marks": {"<index>": {"<field>": ["..."]}}}."""
    marks = data.get("marks") if isinstance(data, dict) else None
    if not isinstance(marks, list) or not marks:
        raise serializers.ValidationError({"marks": [_("Cần một danh sách điểm danh.")]})
    if len(marks) > SYNC_MAX_MARKS:
        raise serializers.ValidationError(
            {
                "marks": [
                    _("Mỗi lần gửi tối đa %(count)s điểm danh.")
                    % {"count": number_for_people(SYNC_MAX_MARKS)}
                ]
            }
        )
    zone = timezone.get_current_timezone()
    parsed: list[attendance.MarkInput] = []
    errors: dict[str, dict[str, list[str]]] = {}
    for index, raw in enumerate(marks):
        if not isinstance(raw, dict):
            errors[str(index)] = {
                "non_field_errors": [str(_("Mỗi điểm danh phải là một đối tượng."))]
            }
            continue
        problems: dict[str, list[str]] = {}
        ids: dict[str, uuid.UUID] = {}
        for name in ("id", "session", "enrollment"):
            try:
                ids[name] = uuid.UUID(str(raw.get(name, "")))
            except ValueError:
                problems[name] = [str(_("Phải là một UUID."))]
        status_value = raw.get("status")
        if not isinstance(status_value, str) or status_value not in ATTENDANCE_STATUS_VALUES:
            problems["status"] = [str(_("Trạng thái điểm danh không hợp lệ."))]
        note = raw.get("note") or ""
        if not isinstance(note, str) or len(note) > 300:
            problems["note"] = [str(_("Ghi chú tối đa 300 ký tự."))]
        marked_at = None
        try:
            marked_at = datetime.fromisoformat(str(raw.get("marked_at", "")))
        except ValueError:
            problems["marked_at"] = [str(_("Thời điểm phải theo ISO 8601."))]
        if problems:
            errors[str(index)] = problems
            continue
        assert marked_at is not None  # noqa: S101 (no problem means it parsed)
        parsed.append(
            attendance.MarkInput(
                session_id=ids["session"],
                enrollment_id=ids["enrollment"],
                status=str(status_value),
                note=note,
                client_id=ids["id"],
                marked_at=marked_at if marked_at.tzinfo else marked_at.replace(tzinfo=zone),
            )
        )
    if errors:
        raise serializers.ValidationError({"marks": errors})
    return parsed


class WalkInInputSerializer(serializers.Serializer[Any]):
    offering = serializers.UUIDField(help_text="An offering of your center to enroll into.")
    full_name = serializers.CharField(max_length=150)
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100)
    phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Vietnamese number in any usual form (0912 345 678, +84 912 345 678); "
        "stored in E.164; old 11-digit mobile numbers are converted (see phone_note).",
    )
    ward = serializers.IntegerField(min_value=1, help_text="ward code")
    national_id = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional; only a keyed hash is kept.",
    )
    confirm_shared_phone = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A number already on other people's profiles is refused with 409 "
        "phone_shared (look the person up first); send true to register with it anyway "
        "(a household may share a number).",
    )

    def validate_phone(self, value: str) -> str:
        if value.strip():
            profiles_api.phone_parse(value)  # a refusal (invalid_phone) is on this field
        return value


class WalkInOutputSerializer(serializers.Serializer[Any]):
    walk_in = serializers.UUIDField()
    learner = serializers.UUIDField()
    enrollment = serializers.UUIDField()
    enrollment_status = serializers.CharField()
    claim_code = serializers.CharField(help_text="Give it to the learner; shown only once.")
    phone_note = serializers.CharField(
        help_text="Set when an old 11-digit mobile number was converted to today's number "
        "(2018 renumbering): a sentence to tell the learner, in the user's language; else empty."
    )


class WalkInRegisterApi(StaffApi):
    @extend_schema(
        summary="Register a walk-in learner without an account and enroll them",
        description=(
            "Refusals: validation_error (400, by field), phone_shared (409: the number is on "
            "other people's profiles; the message says how many; resend with "
            "confirm_shared_phone: true after looking the person up), "
            "national_id_taken (409), the enrollment's refusals. A refusal writes "
            "nothing."
        ),
        request=WalkInInputSerializer,
        responses={201: WalkInOutputSerializer, 404: API_ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = WalkInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offering = selectors.offering_get(public_id=data["offering"])
        if offering is None or not permissions.may_enroll_for(request.user, offering):
            raise Http404
        ward = profiles_api.administrative_unit_by_code(level="ward", code=data["ward"])
        if ward is None:
            raise serializers.ValidationError({"ward": [_("Không có xã/phường mã này.")]})
        phone_number = profiles_api.phone_parse(data["phone"]) if data["phone"].strip() else None
        registration = walk_ins.walk_in_register(
            actor=request.user,
            organization_id=offering.course.provider_id,
            full_name=data["full_name"],
            birth_year=data["birth_year"],
            phone=phone_number.e164 if phone_number is not None else "",
            ward_id=ward.id,
            national_id=data["national_id"],
            offering_id=offering.pk,
            confirm_shared_phone=data["confirm_shared_phone"],
        )
        enrollment = registration.enrollment
        assert enrollment is not None  # noqa: S101 (an offering was given)
        return Response(
            {
                "walk_in": registration.walk_in.public_id,
                "learner": registration.person.public_id,
                "enrollment": enrollment.public_id,
                "enrollment_status": enrollment.status,
                "claim_code": registration.claim_code,
                "phone_note": phone_number.note if phone_number is not None else "",
            },
            status=status.HTTP_201_CREATED,
        )


# --- The learner ----------------------------------------------------------------------------


class CheckInInputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=300)


class CheckInOutputSerializer(serializers.Serializer[Any]):
    session = serializers.UUIDField(source="session.public_id")
    status = serializers.CharField()
    marked_at = serializers.DateTimeField()


class CheckInApi(CitizenApi):
    @extend_schema(
        summary="Check myself in with the QR token of a session",
        description=(
            "Refusals: checkin_token_invalid (forged or malformed), checkin_token_expired (410), "
            "checkin_wrong_session, not_enrolled (403), outside_session_window (409), "
            "already_checked_in (409)."
        ),
        request=CheckInInputSerializer,
        responses={200: CheckInOutputSerializer, 410: API_ERROR},
    )
    def post(self, request: Request, session_id: UUID) -> Response:
        serializer = CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mark = checkin.check_in_with_token(
            actor=request.user, session_id=session_id, token=serializer.validated_data["token"]
        )
        return Response(CheckInOutputSerializer(mark).data)


class CheckInCodeInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=30,
        help_text="Six digits, in any script (full-width, Arabic-Indic), spaces and dashes "
        "allowed: '123 456'.",
    )

    def validate_code(self, value: str) -> str:
        """The six ASCII digits of the code as typed (learnprofile.text.typed_code_normalise)."""
        code = typed_code_normalise(value)
        if not re.fullmatch(r"[0-9]{6}", code):
            raise serializers.ValidationError(_("Mã điểm danh gồm 6 chữ số."))
        return code


class CheckInCodeApi(CitizenApi):
    @extend_schema(
        summary="Check myself in with the six-digit code on the classroom screen",
        request=CheckInCodeInputSerializer,
        responses=CheckInOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        serializer = CheckInCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mark = checkin.check_in_with_code(
            actor=request.user,
            code=serializer.validated_data["code"],
            client_address=client_address(request),
        )
        return Response(CheckInOutputSerializer(mark).data)
