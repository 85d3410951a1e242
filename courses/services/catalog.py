"""Writes to the catalog: courses, offerings, sessions. Each function owns its transaction,
checks that the actor manages the course's center, and writes an audit row."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from courses import permissions
from courses.models import (
    Course,
    Offering,
    OfferingStatus,
)
from courses.search import search_columns
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotPermitted
from learnprofile.jobs.services import job_enqueue_on_commit
from profiles import api as profiles_api
from profiles.data import AdministrativeUnitData

COURSE_FIELDS = (
    "title",
    "summary",
    "description",
    "category",
    "tags",
    "level",
    "language",
    "hours",
    "mode",
    "fee",
    "audience",
)
OFFERING_FIELDS = (
    "venue",
    "starts_on",
    "ends_on",
    "capacity",
    "enrollment_opens_at",
    "enrollment_closes_at",
    "minimum_attendance_percent",
    "requires_assessment",
)
WAITLIST_PROMOTE = "courses.waitlist_promote"


class OfferingNotEditable(Conflict):
    code = "offering_not_editable"


def _require_manager(actor: Any, organization_id: int) -> None:
    if organization_id not in permissions.managed_organization_ids(actor):
        raise NotPermitted(_("Bạn không quản lý trung tâm này."))


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split())[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:20]


def offering_search_fill(
    offering: Offering,
    *,
    course: Course,
    provider_name: str,
    unit: AdministrativeUnitData | None = None,
) -> None:
    """Copy the course's catalog fields and the folded search text onto an offering (in
    memory; the caller saves, alone or in bulk). `unit` is the offering's ward when the
    caller already has it (bulk writes); otherwise it is read."""
    if unit is None or unit.id != offering.ward_id:
        unit = profiles_api.administrative_unit_get(unit_id=offering.ward_id)
    if unit is None or unit.province_id is None:
        raise ValidationError({"ward": [_("Hãy chọn một xã/phường có trong danh mục.")]})
    offering.province_id = unit.province_id
    offering.category = course.category
    offering.mode = course.mode
    offering.is_free = course.fee == 0
    offering.search_title, offering.search_text = search_columns(
        title=course.title,
        summary=course.summary,
        tags=course.tags,
        provider_name=provider_name,
        venue=offering.venue,
        ward_name=unit.name,
        province_name=unit.province_name or "",
    )


def _provider_name(course: Course) -> str:
    organization = profiles_api.organization_get_by_id(organization_id=course.provider_id)
    return organization.name if organization is not None else ""


@transaction.atomic
def course_create(*, actor: Any, provider_id: int, **fields: Any) -> Course:
    """A draft course for a center the actor manages. Raises NotPermitted, ValidationError."""
    _require_manager(actor, provider_id)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"Not course fields: {sorted(unknown)}")
    course = Course(provider_id=provider_id, **fields)
    course.tags = _clean_tags(course.tags)
    course.full_clean()
    course.save()
    audit_record(
        actor=actor, action="course.created", object_type="course", object_id=course.public_id
    )
    return course


@transaction.atomic
def course_update(*, actor: Any, course: Course, **fields: Any) -> Course:
    """Change a course; its offerings' catalog copies and search text follow in the same
    transaction. Raises NotPermitted, ValidationError."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _require_manager(actor, course.provider_id)
    changed = {}
    for name, value in fields.items():
        if name not in COURSE_FIELDS:
            raise ValueError(f"Not a course field: {name}")
        if getattr(course, name) != value:
            changed[name] = str(value)
            setattr(course, name, value)
    course.tags = _clean_tags(course.tags)
    course.full_clean()
    course.save()
    offerings_refresh(course=course)
    audit_record(
        actor=actor,
        action="course.updated",
        object_type="course",
        object_id=course.public_id,
        details={"fields": sorted(changed)},
    )
    return course


def offerings_refresh(*, course: Course) -> int:
    """Rewrite the catalog copies of every offering of a course, in one bulk UPDATE (the
    wards are read in one query, not one per offering)."""
    provider_name = _provider_name(course)
    offerings = list(course.offerings.all())
    units = profiles_api.administrative_units_get(
        unit_ids={offering.ward_id for offering in offerings}
    )
    for offering in offerings:
        offering_search_fill(
            offering, course=course, provider_name=provider_name, unit=units.get(offering.ward_id)
        )
    Offering.objects.bulk_update(
        offerings,
        ["province", "category", "mode", "is_free", "search_title", "search_text"],
        batch_size=500,
    )
    return len(offerings)


@transaction.atomic
def course_publish(*, actor: Any, course: Course, is_published: bool = True) -> Course:
    _require_manager(actor, course.provider_id)
    Course.objects.filter(pk=course.pk).update(is_published=is_published)
    course.is_published = is_published
    audit_record(
        actor=actor,
        action="course.published" if is_published else "course.unpublished",
        object_type="course",
        object_id=course.public_id,
    )
    return course


def _offering_validate(offering: Offering) -> None:
    errors: dict[str, list[Any]] = {}
    if offering.ends_on and offering.starts_on and offering.ends_on < offering.starts_on:
        errors["ends_on"] = [_("Ngày kết thúc phải sau ngày bắt đầu.")]
    if (
        offering.enrollment_opens_at
        and offering.enrollment_closes_at
        and offering.enrollment_closes_at <= offering.enrollment_opens_at
    ):
        errors["enrollment_closes_at"] = [_("Hạn đăng ký phải sau ngày mở đăng ký.")]
    if offering.capacity is not None and offering.capacity < offering.enrolled_count:
        errors["capacity"] = [
            _("Đã có %(count)d người đăng ký; số chỗ không thể ít hơn.")
            % {"count": offering.enrolled_count}
        ]
    if (
        offering.minimum_attendance_percent is not None
        and offering.minimum_attendance_percent > 100
    ):
        errors["minimum_attendance_percent"] = [_("Tỷ lệ tối đa là 100%.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def offering_create(*, actor: Any, course: Course, ward_id: int, **fields: Any) -> Offering:
    """A draft offering of a course the actor manages. Raises NotPermitted, ValidationError."""
    _require_manager(actor, course.provider_id)
    offering = Offering(course=course, ward_id=ward_id)
    for name, value in fields.items():
        if name not in OFFERING_FIELDS:
            raise ValueError(f"Not an offering field: {name}")
        setattr(offering, name, value)
    offering_search_fill(offering, course=course, provider_name=_provider_name(course))
    _offering_validate(offering)
    offering.full_clean(exclude=["search_vector"])
    offering.save()
    audit_record(
        actor=actor,
        action="offering.created",
        object_type="offering",
        object_id=offering.public_id,
    )
    return offering


@transaction.atomic
def offering_update(
    *, actor: Any, offering: Offering, ward_id: int | None = None, **fields: Any
) -> Offering:
    """Change an offering (not a cancelled or finished one). More seats promote the waitlist
    (a durable job); fewer than the people enrolled is refused. Row lock on the offering."""
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    _require_manager(actor, offering.course.provider_id)
    if offering.status in (OfferingStatus.CANCELLED, OfferingStatus.FINISHED):
        raise OfferingNotEditable(_("Không thể sửa một lớp đã hủy hoặc đã kết thúc."))
    old_capacity = offering.capacity
    for name, value in fields.items():
        if name not in OFFERING_FIELDS:
            raise ValueError(f"Not an offering field: {name}")
        setattr(offering, name, value)
    if ward_id is not None:
        offering.ward_id = ward_id
    offering_search_fill(
        offering, course=offering.course, provider_name=_provider_name(offering.course)
    )
    _offering_validate(offering)
    offering.full_clean(exclude=["search_vector"])
    offering.save()
    updated = audit_record(
        actor=actor,
        action="offering.updated",
        object_type="offering",
        object_id=offering.public_id,
        details={"capacity": [old_capacity, offering.capacity]},
    )
    if offering.capacity > old_capacity and offering.status == OfferingStatus.PUBLISHED:
        waitlist_promote_on_commit(offering=offering, event=f"offering.updated:{updated.pk}")
    return offering


def waitlist_promote_on_commit(*, offering: Offering, event: str) -> None:
    """Queue the promotion of waitlisted learners into free seats (services.enrollment).
    `event` names the one event that freed seats (an audit row, a cancelled enrollment), so
    the job's dedupe key never repeats: a capacity that goes back to a value it had before
    promotes again (finished jobs keep their key for 30 days)."""
    job_enqueue_on_commit(
        kind=WAITLIST_PROMOTE,
        payload={"offering_id": offering.pk},
        dedupe_key=f"waitlist-promote:{offering.public_id}:{event}",
    )


@transaction.atomic
def offering_publish(*, actor: Any, offering: Offering) -> Offering:
    """Open a draft offering in the catalog (its course is published with it)."""
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    _require_manager(actor, offering.course.provider_id)
    if offering.status == OfferingStatus.PUBLISHED:
        return offering
    if offering.status != OfferingStatus.DRAFT:
        raise OfferingNotEditable(_("Chỉ có thể công bố một lớp đang là bản nháp."))
    offering.status = OfferingStatus.PUBLISHED
    offering.save(update_fields=["status", "updated_at"])
    Course.objects.filter(pk=offering.course_id, is_published=False).update(is_published=True)
    audit_record(
        actor=actor,
        action="offering.published",
        object_type="offering",
        object_id=offering.public_id,
    )
    return offering
