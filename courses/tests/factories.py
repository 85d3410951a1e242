"""Catalog test data written through the services, so the copies and search columns are
those production writes."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from courses.models import Course, Enrollment, Offering, OfferingStatus, Session
from courses.services.catalog import offering_search_fill
from profiles.data import LearningCategory
from profiles.tests.factories import UserFactory, ward


def course_make(provider: Any, **fields: Any) -> Course:
    values: dict[str, Any] = {
        "title": "Tin học cơ bản",
        "summary": "Làm quen với máy tính, soạn thảo văn bản và thư điện tử.",
        "category": LearningCategory.DIGITAL_SKILLS,
        "hours": Decimal(24),
        "is_published": True,
        **fields,
    }
    return Course.objects.create(provider=provider, **values)


def offering_make(
    course: Course, *, ward_codename: str = "phuong_hoan_kiem", **fields: Any
) -> Offering:
    """A published offering starting in a week, with 10 seats, in a real ward."""
    today = date.today()  # noqa: DTZ011 - a plain date for test data
    values: dict[str, Any] = {
        "venue": "Nhà văn hóa tổ dân phố 5",
        "starts_on": today + timedelta(days=7),
        "ends_on": today + timedelta(days=60),
        "capacity": 10,
        "status": OfferingStatus.PUBLISHED,
        **fields,
    }
    offering = Offering(course=course, ward=ward(ward_codename), **values)
    offering_search_fill(offering, course=course, provider_name=course.provider.name)
    offering.save()
    return offering


@dataclass
class Class:
    offering: Offering
    sessions: list[Session]
    enrollments: list[Enrollment]

    @property
    def current(self) -> Session:
        """The last session: it started 30 minutes ago and runs for another 90."""
        return self.sessions[-1]


def class_make(provider: Any, *, learners: int = 3, sessions: int = 3, **fields: Any) -> Class:
    """A running offering: one two-hour session a day, the last one under way now, and
    `learners` people holding a seat (named Học viên 01, 02, ...)."""
    now = timezone.now()
    today = timezone.localdate(now)
    offering = offering_make(
        course_make(provider, title=fields.pop("title", "Tin học cơ bản")),
        starts_on=today - timedelta(days=sessions),
        ends_on=today + timedelta(days=30),
        capacity=max(learners, 10),
        **fields,
    )
    created = [
        Session.objects.create(
            offering=offering,
            starts_at=now - timedelta(days=sessions - 1 - number, minutes=30),
            ends_at=now - timedelta(days=sessions - 1 - number, minutes=30) + timedelta(hours=2),
        )
        for number in range(sessions)
    ]
    enrollments = [
        Enrollment.objects.create(
            offering=offering,
            learner=UserFactory(profile__full_name=f"Học viên {number + 1:02d}"),
            status="active",
        )
        for number in range(learners)
    ]
    Offering.objects.filter(pk=offering.pk).update(enrolled_count=learners)
    offering.refresh_from_db()
    return Class(offering=offering, sessions=created, enrollments=enrollments)


def class_close(klass: Class, *, actor: Any, absent: frozenset[int] = frozenset()) -> None:
    """Mark every session (the learners at positions in `absent` absent, the others present)
    and close the offering, through the services (for other apps' tests too)."""
    from courses.services.attendance import MarkInput, marks_record
    from courses.services.completion import offering_close

    marks_record(
        actor=actor,
        marks=[
            MarkInput(
                session_id=session.public_id,
                enrollment_id=enrollment.public_id,
                status="absent" if number in absent else "present",
            )
            for session in klass.sessions
            for number, enrollment in enumerate(klass.enrollments)
        ],
        source="roster",
    )
    offering_close(actor=None, offering_id=klass.offering.public_id)
