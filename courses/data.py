"""Frozen dataclasses that courses.api returns to other apps."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class CompletionData:
    """A learner's decided result in one offering (set when the offering closed)."""

    enrollment_id: UUID
    offering_id: UUID
    course_id: UUID
    course_title: str
    provider_organization_id: int
    learner_id: int
    is_completed: bool
    reason: str
    attendance_percent: Decimal | None
    attended_hours: Decimal | None
    completed_at: datetime | None
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class CourseSummary:
    id: UUID
    title: str


@dataclass(frozen=True)
class OfferingSummary:
    """An offering as an issuer sees it when choosing whose completions to reward."""

    id: UUID
    course_id: UUID
    course_title: str
    starts_on: date
    ends_on: date
    is_closed: bool
    completed: int


@dataclass(frozen=True)
class OpenOffering:
    """A class still taking enrollments, as a notice suggests it."""

    course_title: str
    starts_on: date
    venue: str
    link: str
