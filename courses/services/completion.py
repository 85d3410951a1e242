"""Completion: when an offering ends (or its staff close it), each learner who held a seat
is measured against the offering's rule and the result goes to their lifelong ledger.

The rule: the attendance rate over the sessions held by then, excused absences not counted
against the learner (attended / (held - excused)), must reach
`minimum_attendance_percent`; and, when the offering requires a final assessment, the
learner must have passed it. Each enrollment is decided once (its `completion` is set) and its
ledger row is written once through `profiles.api` (idempotent on the enrollment's id), so
closing twice, or the periodic sweep racing a close, writes nothing twice.
"""

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import permissions, selectors
from courses.listeners import completions_announce
from courses.models import (
    CompletionStatus,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OfferingStatus,
)
from courses.selectors import AttendanceSummary, attendance_summaries
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound
from learnprofile.formatting import percent_for_people
from profiles import api as profiles_api
from profiles.data import LearningRecordKind

logger = logging.getLogger(__name__)

LEDGER_SOURCE_APP = "courses"


class OfferingNotClosable(Conflict):
    code = "offering_not_closable"


def completion_decide(
    *,
    summary: AttendanceSummary,
    minimum_percent: int,
    requires_assessment: bool,
    assessment_passed: bool | None,
) -> tuple[str, str]:
    """(completion status, reason in Vietnamese for the record)."""
    percent = summary.percent
    if summary.held == 0:
        return CompletionStatus.NOT_COMPLETED, str(_("Lớp chưa có buổi học nào."))
    if percent is None:
        return CompletionStatus.NOT_COMPLETED, str(_("Vắng có phép tất cả các buổi học."))
    if summary.is_below(minimum_percent):
        return CompletionStatus.NOT_COMPLETED, str(
            _("Chuyên cần %(percent)s, dưới mức tối thiểu %(minimum)s.")
            % {
                "percent": percent_for_people(percent),
                "minimum": percent_for_people(minimum_percent),
            }
        )
    if requires_assessment and assessment_passed is not True:
        if assessment_passed is None:
            return CompletionStatus.NOT_COMPLETED, str(_("Chưa có kết quả bài kiểm tra cuối khóa."))
        return CompletionStatus.NOT_COMPLETED, str(_("Chưa đạt bài kiểm tra cuối khóa."))
    return CompletionStatus.COMPLETED, str(
        _("Chuyên cần %(percent)s (tối thiểu %(minimum)s).")
        % {"percent": percent_for_people(percent), "minimum": percent_for_people(minimum_percent)}
    )


def completion_preview(*, offering: Offering, now: datetime | None = None) -> list[dict[str, Any]]:
    """What closing now would decide for each learner with a seat (nothing is written)."""
    now = now or timezone.now()
    enrollments = list(
        Enrollment.objects.filter(offering=offering, status=EnrollmentStatus.ACTIVE).order_by("id")
    )
    summaries = attendance_summaries(enrollment_ids=[e.pk for e in enrollments], until=now)
    rows = []
    for enrollment in enrollments:
        summary = summaries[enrollment.pk]
        status, reason = completion_decide(
            summary=summary,
            minimum_percent=offering.minimum_attendance_percent,
            requires_assessment=offering.requires_assessment,
            assessment_passed=enrollment.assessment_passed,
        )
        rows.append(
            {"enrollment": enrollment, "summary": summary, "status": status, "reason": reason}
        )
    return rows


@transaction.atomic
def offering_close(
    *,
    actor: Any,
    offering_id: UUID,
    assessment_results: dict[UUID, bool] | None = None,
    now: datetime | None = None,
) -> tuple[Offering, int]:
    """Close an offering and decide every seat holder's completion; returns (offering, how
    many enrollments were decided now). Idempotent: a finished offering decides nobody
    again. Locks the offering, then its active enrollments. `assessment_results` (enrollment
    public id -> passed) must name only this offering's learners. Raises NotFound (also for
    another center's offering), OfferingNotClosable (cancelled or draft)."""
    offering = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(public_id=offering_id)
        .first()
    )
    if offering is None or (
        actor is not None and not permissions.may_take_attendance(actor, offering)
    ):
        raise NotFound(_("Không tìm thấy lớp học."))
    if offering.status == OfferingStatus.FINISHED:
        return offering, 0
    if offering.status != OfferingStatus.PUBLISHED:
        raise OfferingNotClosable(_("Chỉ kết thúc được lớp học đang mở."))
    enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(offering=offering, status=EnrollmentStatus.ACTIVE)
        .order_by("id")
    )
    if assessment_results:
        known = {enrollment.public_id for enrollment in enrollments}
        if not set(assessment_results) <= known:
            raise NotFound(_("Có học viên không thuộc lớp học này."))
        for enrollment in enrollments:
            if enrollment.public_id in assessment_results:
                enrollment.assessment_passed = assessment_results[enrollment.public_id]
    now = now or timezone.now()
    decided = _complete(offering=offering, enrollments=enrollments, now=now)
    offering.status = OfferingStatus.FINISHED
    offering.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="offering.closed",
        object_type="offering",
        object_id=offering.public_id,
        details={"decided": decided, "by_sweep": actor is None},
    )
    return offering, decided


def _complete(*, offering: Offering, enrollments: list[Enrollment], now: datetime) -> int:
    pending = [enrollment for enrollment in enrollments if not enrollment.completion]
    summaries = attendance_summaries(enrollment_ids=[e.pk for e in pending], until=now)
    provider = profiles_api.organization_get_by_id(organization_id=offering.course.provider_id)
    for enrollment in pending:
        summary = summaries[enrollment.pk]
        status, reason = completion_decide(
            summary=summary,
            minimum_percent=offering.minimum_attendance_percent,
            requires_assessment=offering.requires_assessment,
            assessment_passed=enrollment.assessment_passed,
        )
        enrollment.completion = status
        enrollment.completion_reason = reason[:300]
        enrollment.attendance_percent = summary.percent
        enrollment.attended_hours = summary.hours
        enrollment.completed_at = now
        if status == CompletionStatus.COMPLETED or summary.hours > 0:
            profiles_api.learning_record_add(
                citizen_id=enrollment.learner_id,
                kind=LearningRecordKind.COURSE_COMPLETED
                if status == CompletionStatus.COMPLETED
                else LearningRecordKind.ATTENDANCE,
                title=offering.course.title,
                category=offering.category,
                source_app=LEDGER_SOURCE_APP,
                source_id=f"enrollment:{enrollment.public_id}",
                hours=summary.hours,
                started_on=offering.starts_on,
                ended_on=max(offering.starts_on, min(offering.ends_on, timezone.localdate(now))),
                provider_organization_id=offering.course.provider_id,
                provider_name=provider.name if provider is not None else "",
            )
    decided = [enrollment.pk for enrollment in pending]
    transaction.on_commit(lambda: _announce(decided))
    Enrollment.objects.bulk_update(
        enrollments,
        [
            "completion",
            "completion_reason",
            "attendance_percent",
            "attended_hours",
            "completed_at",
            "assessment_passed",
        ],
    )
    return len(pending)


def _announce(enrollment_ids: list[int]) -> None:
    """After commit: tell the listeners (credentials) which completions were decided."""
    completions_announce(selectors.completions_of_enrollments(enrollment_ids=enrollment_ids))


def offerings_close_due(*, now: datetime | None = None) -> int:
    """The periodic sweep: close every published offering whose last day and last session
    are over. Each in its own transaction; returns how many were closed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        Offering.objects.filter(status=OfferingStatus.PUBLISHED, ends_on__lt=today)
        .annotate(last_session_ends=Max("sessions__ends_at"))
        .values_list("public_id", "last_session_ends")
    )
    closed = 0
    for public_id, last_session_ends in due.iterator():
        if last_session_ends is not None and last_session_ends > now:
            continue
        try:
            offering_close(actor=None, offering_id=public_id, now=now)
        except (NotFound, OfferingNotClosable):
            logger.info("offering.close_skipped", extra={"offering": str(public_id)})
            continue
        closed += 1
    return closed
