"""Enrollment, waitlist and cancellation.

Concurrency: every change to an offering's seats takes the offering's row lock first
(`SELECT ... FOR UPDATE`), then touches enrollments; so the decision "a seat or the
waitlist" and the counter move together. The database keeps the truth as well: a check
constraint forbids `enrolled_count > capacity`, and a partial unique constraint allows one
open enrollment per learner and offering. Promotion from the waitlist is a durable job
(idempotent: it only fills free seats); emails go through the job pipeline with a dedupe key
per enrollment and kind, so a repeated job never mails twice.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import notices, permissions
from courses.models import (
    ENROLLMENT_OPEN_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OfferingStatus,
)
from courses.services.catalog import WAITLIST_PROMOTE, waitlist_promote_on_commit
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, DomainError, NotFound, NotPermitted
from learnprofile.formatting import datetime_for_people
from learnprofile.jobs.registry import PermanentJobError, job_handler
from profiles import api as profiles_api


class EnrollmentClosed(Conflict):
    code = "enrollment_closed"


class OfferingNotOpen(Conflict):
    code = "offering_not_open"


class EnrollmentNotCancellable(Conflict):
    code = "enrollment_not_cancellable"


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    http_status = 403


def enrollment_window(offering: Offering) -> tuple[datetime | None, datetime]:
    """(opens, closes) of enrollment. Without a set deadline, enrollment stays open until the
    end of the first day of the course."""
    closes = offering.enrollment_closes_at
    if closes is None:
        zone = timezone.get_current_timezone()
        closes = datetime.combine(offering.starts_on, datetime.max.time(), tzinfo=zone)
    return offering.enrollment_opens_at, closes


def enrollment_open_problem(offering: Offering, *, now: datetime) -> DomainError | None:
    """Why a learner cannot enroll now, or None."""
    if offering.status == OfferingStatus.CANCELLED:
        return OfferingNotOpen(_("Lớp học này đã bị hủy."))
    if offering.status != OfferingStatus.PUBLISHED:
        return OfferingNotOpen(_("Lớp học này không nhận đăng ký."))
    opens, closes = enrollment_window(offering)
    if opens is not None and now < opens:
        return EnrollmentClosed(
            _("Lớp học này mở đăng ký từ %(date)s.") % {"date": datetime_for_people(opens)}
        )
    if now > closes:
        return EnrollmentClosed(_("Đã hết hạn đăng ký lớp học này."))
    return None


@transaction.atomic
def enrollment_create(*, actor: Any, offering_id: int) -> tuple[Enrollment, bool]:
    """Enroll a learner: a seat if one is free and nobody waits, else the waitlist.

    Idempotent: an open enrollment of the same learner is returned with created=False.
    Locks: the offering row. Side effects on commit: one email (confirmed or waitlisted).
    Raises EmailNotVerified, OfferingNotOpen, EnrollmentClosed, NotFound; writes nothing then.
    """
    if not actor.is_authenticated:
        raise NotPermitted(_("Hãy đăng nhập để đăng ký khóa học."))
    learner_id = actor.pk
    person = profiles_api.person_get(user_id=learner_id)
    if person is None:
        raise NotFound(_("Không tìm thấy người học."))
    if not person.has_verified_email:
        raise EmailNotVerified(_("Hãy xác minh địa chỉ email của bạn trước khi đăng ký khóa học."))
    return _enroll(actor=actor, learner_id=learner_id, offering_id=offering_id, by_staff=False)


@transaction.atomic
def enrollment_create_for(
    *, actor: Any, learner_id: int, offering_id: int
) -> tuple[Enrollment, bool]:
    """Center staff enroll a learner who came in person (a walk-in or assisted learner, or a
    citizen found by phone) into their own center's offering. No email is required, and the
    enrollment deadline does not apply while the offering runs: the learner is at the door.
    Seats and the waitlist work as for anyone. Idempotent like enrollment_create. Raises
    NotFound (also for another center's offering), OfferingNotOpen."""
    offering = Offering.objects.select_related("course").filter(pk=offering_id).first()
    if offering is None or not permissions.may_enroll_for(actor, offering):
        raise NotFound(_("Không tìm thấy lớp học."))
    if profiles_api.person_get(user_id=learner_id) is None:
        raise NotFound(_("Không tìm thấy người học."))
    return _enroll(actor=actor, learner_id=learner_id, offering_id=offering_id, by_staff=True)


def _enroll(
    *, actor: Any, learner_id: int, offering_id: int, by_staff: bool
) -> tuple[Enrollment, bool]:
    offering = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None:
        raise NotFound(_("Không tìm thấy lớp học."))
    now = timezone.now()
    existing = Enrollment.objects.filter(
        offering=offering, learner_id=learner_id, status__in=ENROLLMENT_OPEN_STATUSES
    ).first()
    if existing is not None:
        return existing, False
    if by_staff:
        if offering.status != OfferingStatus.PUBLISHED:
            raise OfferingNotOpen(_("Lớp học này không nhận đăng ký."))
        if offering.ends_on < timezone.localdate(now):
            raise EnrollmentClosed(_("Lớp học này đã kết thúc."))
    else:
        problem = enrollment_open_problem(offering, now=now)
        if problem is not None:
            raise problem
    someone_waits = Enrollment.objects.filter(
        offering=offering, status=EnrollmentStatus.WAITLISTED
    ).exists()
    if offering.enrolled_count < offering.capacity and not someone_waits:
        enrollment = Enrollment(offering=offering, learner_id=learner_id, status="active")
        Offering.objects.filter(pk=offering.pk).update(enrolled_count=F("enrolled_count") + 1)
        offering.enrolled_count += 1
    else:
        enrollment = Enrollment(
            offering=offering,
            learner_id=learner_id,
            status=EnrollmentStatus.WAITLISTED,
            waitlisted_at=now,
        )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # The lock makes this unreachable for the same offering; kept so a bug can never
        # produce a second open enrollment or a 500.
        existing = Enrollment.objects.get(
            offering=offering, learner_id=learner_id, status__in=ENROLLMENT_OPEN_STATUSES
        )
        return existing, False
    audit_record(
        actor=actor,
        action=f"enrollment.{enrollment.status}",
        object_type="offering",
        object_id=offering.public_id,
        details={"enrollment": str(enrollment.public_id), "by_staff": by_staff},
    )
    notices.enrollment_notice_on_commit(
        enrollment=enrollment,
        event="confirmed" if enrollment.status == EnrollmentStatus.ACTIVE else "waitlisted",
    )
    return enrollment, True


@transaction.atomic
def enrollment_cancel(*, actor: Any, enrollment_id: UUID, reason: str = "") -> Enrollment:
    """Cancel an open enrollment (the learner, or a manager of the center). A freed seat is
    offered to the waitlist by a durable job. Idempotent: a cancelled one is returned as is.
    Locks: the offering, then the enrollment. Raises NotFound (also for someone else's),
    EnrollmentNotCancellable (409: the class is finished or past its end date; nothing
    changes, so its count, completion and credential stay)."""
    found = (
        Enrollment.objects.select_related("offering__course")
        .filter(public_id=enrollment_id)
        .first()
    )
    if found is None or not permissions.may_cancel_enrollment(actor, found):
        raise NotFound(_("Không tìm thấy đăng ký này."))
    offering = Offering.objects.select_for_update(of=("self",)).get(pk=found.offering_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=found.pk)
    if enrollment.status == EnrollmentStatus.CANCELLED:
        return enrollment
    if offering.status == OfferingStatus.FINISHED or offering.ends_on < timezone.localdate():
        # The seat was used: its attendance, completion and credential stay true.
        raise EnrollmentNotCancellable(_("Lớp học đã kết thúc nên không thể hủy đăng ký."))
    was_active = enrollment.status == EnrollmentStatus.ACTIVE
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.cancel_reason = reason[:300]
    enrollment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    if was_active:
        Offering.objects.filter(pk=offering.pk).update(enrolled_count=F("enrolled_count") - 1)
        if offering.status == OfferingStatus.PUBLISHED:
            waitlist_promote_on_commit(
                offering=offering, event=f"enrollment.cancelled:{enrollment.public_id}"
            )
    audit_record(
        actor=actor,
        action="enrollment.cancelled",
        object_type="offering",
        object_id=offering.public_id,
        details={
            "enrollment": str(enrollment.public_id),
            "by_learner": actor.pk == enrollment.learner_id,
        },
    )
    return enrollment


@transaction.atomic
def waitlist_promote(*, offering_id: int) -> list[Enrollment]:
    """Move the first waitlisted learners into the free seats, in the order they joined.

    Idempotent: with no free seat or nobody waiting it does nothing, so running it twice
    promotes no one twice. Locks: the offering, then the promoted enrollments. Each
    promotion mails the learner once (dedupe key per enrollment)."""
    offering = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None or offering.status != OfferingStatus.PUBLISHED:
        return []
    free = offering.capacity - offering.enrolled_count
    if free <= 0:
        return []
    promoted = list(
        Enrollment.objects.select_for_update()
        .filter(offering=offering, status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")[:free]
    )
    if not promoted:
        return []
    Enrollment.objects.filter(pk__in=[enrollment.pk for enrollment in promoted]).update(
        status=EnrollmentStatus.ACTIVE, waitlisted_at=None, updated_at=timezone.now()
    )
    Offering.objects.filter(pk=offering.pk).update(
        enrolled_count=F("enrolled_count") + len(promoted)
    )
    people = profiles_api.persons_get(user_ids={enrollment.learner_id for enrollment in promoted})
    for enrollment in promoted:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.offering = offering
        audit_record(
            actor=None,
            action="enrollment.promoted",
            object_type="offering",
            object_id=offering.public_id,
            details={"enrollment": str(enrollment.public_id)},
        )
        notices.enrollment_notice_on_commit(
            enrollment=enrollment, event="promoted", person=people.get(enrollment.learner_id)
        )
    return promoted


@job_handler(WAITLIST_PROMOTE)
def waitlist_promote_job(payload: dict[str, Any]) -> None:
    try:
        offering_id = int(payload["offering_id"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    waitlist_promote(offering_id=offering_id)


@transaction.atomic
def offering_cancel(*, actor: Any, offering_id: int, reason: str) -> Offering:
    """Cancel an offering: every open enrollment is cancelled and its learner mailed, once.
    Idempotent. Locks: the offering, then its open enrollments. Raises NotPermitted,
    Conflict (a finished offering), ValidationError (no reason)."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": [_("Hãy cho người học biết lý do hủy lớp.")]})
    offering = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None or not permissions.may_manage_offering(actor, offering):
        raise NotPermitted(_("Bạn không quản lý lớp học này."))
    if offering.status == OfferingStatus.CANCELLED:
        return offering
    if offering.status == OfferingStatus.FINISHED:
        raise Conflict(_("Lớp học đã kết thúc, không thể hủy."))
    open_enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(offering=offering, status__in=ENROLLMENT_OPEN_STATUSES)
        .order_by("id")
    )
    now = timezone.now()
    Enrollment.objects.filter(pk__in=[enrollment.pk for enrollment in open_enrollments]).update(
        status=EnrollmentStatus.CANCELLED,
        cancelled_at=now,
        cancel_reason=reason[:300],
        waitlisted_at=None,
        updated_at=now,
    )
    offering.status = OfferingStatus.CANCELLED
    offering.cancel_reason = reason[:300]
    offering.enrolled_count = 0
    offering.save(update_fields=["status", "cancel_reason", "enrolled_count", "updated_at"])
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in open_enrollments}
    )
    for enrollment in open_enrollments:
        enrollment.offering = offering
        notices.enrollment_notice_on_commit(
            enrollment=enrollment,
            event="offering_cancelled",
            person=people.get(enrollment.learner_id),
        )
    audit_record(
        actor=actor,
        action="offering.cancelled",
        object_type="offering",
        object_id=offering.public_id,
        details={"reason": reason[:300], "notified": len(open_enrollments)},
    )
    return offering
