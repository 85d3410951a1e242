"""Demo catalog for `seed_demo`: real-looking courses at the demo centers, with weekly
sessions, written with the same search columns the services write. Idempotent."""

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses.models import Course, Offering, OfferingStatus, Session
from courses.services.catalog import offering_search_fill
from courses.services.sessions import Recurrence

# (center slug, title, category, summary, hours, mode, fee, tags, weekdays, start hour)
DEMO_COURSES = [
    (
        "tthtcd-hoan-kiem",
        "Tin học cơ bản",
        "digital_skills",
        "Làm quen máy tính, soạn thảo văn bản và gửi thư điện tử.",
        24,
        "in_person",
        0,
        ["máy tính", "Word", "email"],
        {1, 3},
        19,
    ),
    (
        "tthtcd-hoan-kiem",
        "Sử dụng điện thoại thông minh",
        "digital_skills",
        "Gọi video, nhắn tin Zalo, thanh toán an toàn cho người cao tuổi.",
        12,
        "in_person",
        0,
        ["Zalo", "thanh toán điện tử", "VNeID"],
        {5},
        8,
    ),
    (
        "tthtcd-ba-dinh",
        "Tiếng Anh giao tiếp cho người bán hàng",
        "foreign_languages",
        "Chào hỏi, giới thiệu sản phẩm và chỉ đường cho khách du lịch.",
        40,
        "blended",
        300000,
        ["tiếng Anh", "du lịch"],
        {0, 2},
        18,
    ),
    (
        "gdtx-ha-noi",
        "Sơ cấp cứu tại gia đình",
        "health",
        "Xử trí đuối nước, bỏng, ngộ độc thực phẩm trước khi nhân viên y tế đến.",
        8,
        "in_person",
        0,
        ["sơ cứu"],
        {6},
        8,
    ),
    (
        "gdtx-ha-noi",
        "Dịch vụ công trực tuyến",
        "digital_skills",
        "Nộp hồ sơ trên Cổng dịch vụ công quốc gia và dùng tài khoản định danh điện tử.",
        6,
        "online",
        0,
        ["dịch vụ công", "VNeID"],
        {2},
        20,
    ),
    (
        "tthtcd-buon-ma-thuot",
        "Trồng cà phê bền vững",
        "agriculture",
        "Tưới tiết kiệm nước, bón phân hữu cơ, tái canh cà phê.",
        16,
        "in_person",
        0,
        ["cà phê", "tưới tiết kiệm"],
        {6},
        7,
    ),
    (
        "tthtcd-ea-kar",
        "Kỹ thuật trồng lúa chất lượng cao",
        "agriculture",
        "Chọn giống, bón phân cân đối, phòng trừ sâu bệnh theo IPM.",
        20,
        "in_person",
        0,
        ["lúa", "IPM"],
        {5, 6},
        14,
    ),
    (
        "tthtcd-ea-kar",
        "Xóa mù chữ cho người lớn",
        "literacy",
        "Đọc, viết và tính toán cơ bản, học buổi tối sau giờ làm.",
        60,
        "in_person",
        0,
        ["đọc viết"],
        {0, 2, 4},
        19,
    ),
]


@transaction.atomic
def demo_catalog_load(*, centers: dict[str, Any]) -> int:
    """Courses with one published offering each (the first one nearly full, to show the
    waitlist). Returns how many courses were created."""
    created = 0
    today = timezone.localdate()
    for index, row in enumerate(DEMO_COURSES):
        slug, title, category, summary, hours, mode, fee, tags, weekdays, hour = row
        center = centers[slug]
        if Course.objects.filter(provider=center, title=title).exists():
            continue
        course = Course.objects.create(
            provider=center,
            title=title,
            summary=summary,
            category=category,
            hours=Decimal(hours),
            mode=mode,
            fee=fee,
            tags=tags,
            is_published=True,
        )
        starts_on = today + timedelta(days=7 + index * 3)
        offering = Offering(
            course=course,
            venue=f"Hội trường {center.name}",
            ward=center.ward,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(weeks=8),
            capacity=2 if index == 0 else 25,
            status=OfferingStatus.PUBLISHED,
        )
        offering_search_fill(offering, course=course, provider_name=center.name)
        offering.save()
        recurrence = Recurrence(
            weekdays=frozenset(weekdays),
            starts_at=time(hour),
            ends_at=time(hour + 2),
            first_day=starts_on,
            weeks=8,
            room="Phòng 1",
        )
        Session.objects.bulk_create(
            Session(offering=offering, starts_at=start, ends_at=end, room=recurrence.room)
            for start, end in recurrence.session_times()
        )
        created += 1
    return created


def _demo_offering(
    center: Any,
    *,
    title: str,
    summary: str,
    hours: int,
    venue: str,
    starts_on: Any,
    ends_on: Any,
) -> Offering:
    """A published digital-skills course of `center` and one published offering of it."""
    course = Course.objects.create(
        provider=center,
        title=title,
        summary=summary,
        category="digital_skills",
        hours=Decimal(hours),
        is_published=True,
    )
    offering = Offering(
        course=course,
        venue=venue,
        ward=center.ward,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=20,
        status=OfferingStatus.PUBLISHED,
    )
    offering_search_fill(offering, course=course, provider_name=center.name)
    offering.save()
    return offering


@transaction.atomic
def demo_running_class_load(*, center: Any, learner: Any, staff: Any) -> bool:
    """A class under way at the first demo center, so the attendance pages have something to
    show: it started ten days ago, meets every other day (one session now), the demo learner
    and a walk-in learner hold seats, and past sessions are marked. Idempotent."""
    from courses.services import attendance, walk_ins
    from courses.services.enrollment import enrollment_create_for

    title = "Kỹ năng số cho người cao tuổi"
    if Course.objects.filter(provider=center, title=title).exists():
        return False
    now = timezone.now()
    today = timezone.localdate(now)
    offering = _demo_offering(
        center,
        title=title,
        summary="Dùng VNeID, đặt lịch khám bệnh và nhận biết tin nhắn lừa đảo.",
        hours=12,
        venue=f"Hội trường {center.name}",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
    )
    sessions = Session.objects.bulk_create(
        Session(
            offering=offering,
            starts_at=now + timedelta(days=days, minutes=-30),
            ends_at=now + timedelta(days=days, minutes=90),
            room="Phòng 1",
        )
        for days in range(-10, 11, 2)
    )
    enrollment, _created = enrollment_create_for(
        actor=staff, learner_id=learner.pk, offering_id=offering.pk
    )
    registration = walk_ins.walk_in_register(
        actor=staff,
        organization_id=center.pk,
        full_name="Lò Thị Mai",
        birth_year=1958,
        phone="0912 000 111",
        ward_id=center.ward_id,
        offering_id=offering.pk,
    )
    assert registration.enrollment is not None  # noqa: S101 (an offering was given)
    held = [session for session in sessions if session.ends_at < now]
    attendance.marks_record(
        actor=staff,
        marks=[
            attendance.MarkInput(
                session_id=session.public_id,
                enrollment_id=seat.public_id,
                status="absent" if (number, seat) == (1, enrollment) else "present",
            )
            for number, session in enumerate(held)
            for seat in (enrollment, registration.enrollment)
        ],
        source="roster",
    )
    return True


@transaction.atomic
def demo_finished_class_load(*, center: Any, learner: Any, staff: Any) -> Any:
    """A class that finished last month at the first demo center, attended in full by the
    demo learner and closed (so it has a completion to reward). Returns its course's public
    id; idempotent."""
    from courses.services import attendance, completion
    from courses.services.enrollment import enrollment_create_for

    title = "Tin học văn phòng cơ bản"
    existing = Course.objects.filter(provider=center, title=title).first()
    if existing is not None:
        return existing.public_id
    now = timezone.now()
    today = timezone.localdate(now)
    offering = _demo_offering(
        center,
        title=title,
        summary="Soạn thảo văn bản, bảng tính và thư điện tử cho công việc hằng ngày.",
        hours=8,
        venue=f"Phòng máy {center.name}",
        starts_on=today - timedelta(days=40),
        ends_on=today,  # moved into the past below, once the learner holds a seat
    )
    sessions = Session.objects.bulk_create(
        Session(
            offering=offering,
            starts_at=now - timedelta(days=days, hours=2),
            ends_at=now - timedelta(days=days),
            room="Phòng máy",
        )
        for days in (40, 37, 34, 31)
    )
    enrollment, _created = enrollment_create_for(
        actor=staff, learner_id=learner.pk, offering_id=offering.pk
    )
    Offering.objects.filter(pk=offering.pk).update(ends_on=today - timedelta(days=30))
    attendance.marks_record(
        actor=staff,
        marks=[
            attendance.MarkInput(
                session_id=session.public_id, enrollment_id=enrollment.public_id, status="present"
            )
            for session in sessions
        ],
        source="roster",
    )
    completion.offering_close(actor=staff, offering_id=offering.public_id)
    return offering.course.public_id
