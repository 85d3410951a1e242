"""Dates, fees and percents as people read them on course pages, in e-mails and in exports:
Vietnam's time (a session at 23:30 UTC is the next morning there), one way per language."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import Session
from courses.notices import _enrollment_render
from courses.services import reminders
from courses.services.enrollment import enrollment_create, enrollment_open_problem
from courses.tests.factories import class_make, course_make, offering_make
from notices import api as notices_api
from profiles.tests.factories import UserFactory, with_mfa
from tests.helpers import mail_bodies, mail_subject, notices_send_due, run_pending_jobs

pytestmark = pytest.mark.django_db

# Monday 14 January 2030, 23:30 UTC: Tuesday 15 January, 06:30 in Vietnam.
LATE_EVENING_UTC = datetime(2030, 1, 14, 23, 30, tzinfo=UTC)
ON_THE_NEXT_DAY = {
    "vi": "Thứ 3, 15/01/2030 06:30",
    "en": "Tuesday, 15 January 2030, 06:30",
}


@pytest.fixture
def center(personas):
    return personas.center_staff.memberships.get().organization


def _session_late_in_the_utc_evening(offering) -> Session:
    return Session.objects.create(
        offering=offering,
        starts_at=LATE_EVENING_UTC,
        ends_at=LATE_EVENING_UTC + timedelta(hours=2),
        room="Phòng 2",
    )


@pytest.mark.parametrize(
    ("language", "fee"), [("vi", "300.000\u00a0đ"), ("en", "300,000\u00a0VND")]
)
def test_the_catalog_card_shows_the_fee_in_the_readers_convention(
    client, center, language: str, fee: str
) -> None:
    offering_make(course_make(center, fee=300000))
    client.cookies["learnprofile_language"] = language

    body = client.get(reverse("catalog")).content.decode()

    assert f"<dd>\n      {_mode(language)} ·\n      \n        {fee}\n      \n    </dd>" in body
    assert "300000" not in body


def _mode(language: str) -> str:
    return {"vi": "Học trực tiếp", "en": "In person"}[language]


@pytest.mark.parametrize(
    ("language", "fee"), [("vi", "300.000\u00a0đ"), ("en", "300,000\u00a0VND")]
)
def test_the_course_page_shows_the_fee_in_the_readers_convention(
    client, center, language: str, fee: str
) -> None:
    course = course_make(center, fee=300000)
    client.cookies["learnprofile_language"] = language

    body = client.get(reverse("course_detail", args=[course.public_id])).content.decode()

    assert f"<dd>\n      \n        {fee}\n      \n    </dd>" in body


def test_a_free_course_still_says_free(client, center) -> None:
    offering_make(course_make(center, fee=0))

    body = client.get(reverse("catalog")).content.decode()

    assert "Miễn phí" in body
    assert "0\u00a0đ" not in body


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_session_at_2330_utc_is_on_the_next_local_day_on_the_course_page(
    client, center, language: str
) -> None:
    offering = offering_make(course_make(center))
    _session_late_in_the_utc_evening(offering)
    client.cookies["learnprofile_language"] = language

    body = client.get(reverse("course_detail", args=[offering.course.public_id])).content.decode()

    assert (
        f'<time datetime="2030-01-15T06:30:00+07:00">{ON_THE_NEXT_DAY[language]}</time>\u201308:30'
        in body
    )


def test_the_reminder_of_a_session_at_2330_utc_gives_the_local_day_and_time(center, inbox) -> None:
    offering = offering_make(
        course_make(center), starts_on=date(2030, 1, 14), ends_on=date(2030, 3, 31)
    )
    session = _session_late_in_the_utc_evening(offering)
    learners = [UserFactory(), UserFactory(preferred_language="en")]
    for learner in learners:
        apps.get_model("courses", "Enrollment").objects.create(
            offering=offering, learner=learner, status="active"
        )
        apps.get_model("profiles", "ConsentRecord").objects.create(
            user=learner, purpose="learning_reminders", is_granted=True, notice_version="2026-1"
        )
    a_day_before = session.starts_at - timedelta(hours=24)

    assert reminders.session_reminders_plan(now=a_day_before) == {"24h": 2, "2h": 0}
    notices_send_due(now=a_day_before + timedelta(seconds=1))

    by_recipient = {message["To"]: message for message in inbox.messages}
    vietnamese = by_recipient[learners[0].email]
    english = by_recipient[learners[1].email]
    assert mail_subject(vietnamese) == "Nhắc lịch học: Tin học cơ bản, Thứ 3, 15/01/2030 06:30"
    assert "Thời gian: Thứ 3, 15/01/2030 06:30\r\n" in mail_bodies(vietnamese)["text/plain"]
    assert mail_subject(english) == (
        "Class reminder: Tin học cơ bản, Tuesday, 15 January 2030, 06:30"
    )


@pytest.mark.parametrize(("language", "starts"), [("vi", "02/03/2030"), ("en", "2 Mar 2030")])
def test_the_confirmation_email_writes_the_first_day_in_the_learners_convention(
    center, language: str, starts: str
) -> None:
    offering = offering_make(
        course_make(center), starts_on=date(2030, 3, 2), ends_on=date(2030, 4, 30)
    )
    learner = UserFactory(preferred_language=language)

    enrollment_create(actor=learner, offering_id=offering.pk)
    run_pending_jobs()

    assert mail.outbox[-1].body.count(starts) == 1


def test_a_notice_planned_before_days_were_kept_as_iso_shows_its_day_as_written() -> None:
    notice = notices_api.NoticeData(
        id=1,
        kind="enrollment_confirmed",
        channel="email",
        recipient_id=1,
        object_ref="enrollment:x",
        context={
            "event": "confirmed",
            "name": "Lan",
            "course": "Tin học cơ bản",
            "starts": "02/03/2030",
            "venue": "Nhà văn hóa",
            "link": "https://hoctap.gov.vn/my-courses/",
        },
    )

    with translation.override("vi"):
        message = _enrollment_render(notice)

    assert "Khai giảng: 02/03/2030\n" in message.text


def test_the_low_attendance_email_writes_percents_the_vietnamese_way(
    client, personas, center
) -> None:
    klass = class_make(center, learners=2, sessions=3)
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    weak = klass.enrollments[0]
    for session in klass.sessions:
        data = {}
        for enrollment in klass.enrollments:
            status = "absent" if enrollment.pk == weak.pk else "present"
            data[f"status-{enrollment.public_id}"] = status
            data[f"note-{enrollment.public_id}"] = ""
        client.post(reverse("session_roster", args=[session.public_id]), data)
    mail.outbox.clear()

    run_pending_jobs()  # the check after the marks
    run_pending_jobs()  # the e-mail it asked for

    body = next(m.body for m in mail.outbox if m.to == [weak.learner.email])
    assert "trên 3 buổi của lớp “Tin học cơ bản” (0\u00a0%)." in body
    assert "bạn cần tham gia ít nhất 80\u00a0% số buổi." in body


def test_the_attendance_export_heads_a_session_at_2330_utc_with_its_local_day(
    client, personas, center
) -> None:
    klass = class_make(center, learners=1, sessions=1)
    _session_late_in_the_utc_evening(klass.offering)
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)

    response = client.get(reverse("offering_export", args=[klass.offering.public_id]))

    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[-3] == "15/01/2030 06:30"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Lớp học này mở đăng ký từ 15/01/2030 06:30."),
        ("en", "Enrollment in this class opens on 15 Jan 2030, 06:30."),
    ],
)
def test_a_class_not_open_yet_says_when_in_vietnams_time_whatever_zone_is_active(
    center, language: str, message: str
) -> None:
    offering = offering_make(course_make(center), enrollment_opens_at=LATE_EVENING_UTC)

    with translation.override(language), timezone.override(UTC):
        problem = enrollment_open_problem(offering, now=LATE_EVENING_UTC - timedelta(days=1))

    assert problem is not None
    assert str(problem.message) == message
