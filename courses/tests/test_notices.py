"""Courses' notices through the outbox and a real SMTP server: session reminders planned by
beat (once, not to those who left, not for a moved session), a moved or cancelled session
told to everyone enrolled, enrollment notices checked again at send time, the inactivity
nudge with open classes near the person."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment, Session
from courses.services import enrollment, reminders, sessions
from courses.tests.factories import class_make, course_make, offering_make
from learnprofile.jobs.models import Job
from learnprofile.jobs.services import job_run
from profiles.tests.factories import OrganizationFactory, UserFactory, ward
from tests.helpers import mail_bodies, mail_subject, notices_send_due

pytestmark = pytest.mark.django_db


def _notifications():
    return apps.get_model("notices", "Notification").objects


def _consent(user, purpose: str = "learning_reminders") -> None:
    apps.get_model("profiles", "ConsentRecord").objects.create(
        user=user, purpose=purpose, is_granted=True, notice_version="2026-1"
    )


@pytest.fixture
def tomorrow_class(db):
    """A published class with a session tomorrow at this time and three learners who agreed
    to reminders (one reads English)."""
    klass = class_make(OrganizationFactory(), learners=3, sessions=1)
    session = klass.sessions[0]
    session.starts_at = timezone.now().replace(microsecond=0) + timedelta(hours=24, minutes=5)
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.room = "Phòng 2"
    session.save()
    for item in klass.enrollments:
        _consent(item.learner)
    english = klass.enrollments[2].learner
    english.preferred_language = "en"
    english.save(update_fields=["preferred_language"])
    return klass


def test_reminders_are_planned_once_and_a_job_delivered_twice_sends_one_email(
    tomorrow_class, inbox
) -> None:
    now = timezone.now()
    first = reminders.session_reminders_plan(now=now)
    again = reminders.session_reminders_plan(now=now + timedelta(minutes=10))

    assert first == {"24h": 3, "2h": 0}
    assert again == {"24h": 0, "2h": 0}
    due = tomorrow_class.sessions[0].starts_at - timedelta(hours=24)
    assert notices_send_due(now=now) == []  # not due yet
    notices_send_due(now=due + timedelta(seconds=1))
    job = Job.objects.get(kind="notifications.send")
    assert job_run(job_id=job.id) == "skipped"  # the same message delivered twice
    job.status = "pending"
    job.save(update_fields=["status"])
    assert job_run(job_id=job.id) == "done"  # even run again: the rows are sent

    assert len(inbox.messages) == 3
    vietnamese = next(
        m for m in inbox.messages if m["To"] != tomorrow_class.enrollments[2].learner.email
    )
    english = next(
        m for m in inbox.messages if m["To"] == tomorrow_class.enrollments[2].learner.email
    )
    assert mail_subject(vietnamese).startswith("Nhắc lịch học: Tin học cơ bản, ")
    assert "Phòng học: Phòng 2" in mail_bodies(vietnamese)["text/plain"]
    assert "Địa điểm: Nhà văn hóa tổ dân phố 5" in mail_bodies(vietnamese)["text/plain"]
    assert mail_subject(english).startswith("Class reminder: Tin học cơ bản, ")
    assert "Room: Phòng 2" in mail_bodies(english)["text/plain"]
    assert set(_notifications().values_list("status", flat=True)) == {"sent"}


def test_a_learner_who_cancelled_before_the_send_time_gets_no_reminder(
    tomorrow_class, inbox
) -> None:
    now = timezone.now()
    reminders.session_reminders_plan(now=now)
    leaving = tomorrow_class.enrollments[0]
    enrollment.enrollment_cancel(actor=leaving.learner, enrollment_id=leaving.public_id)

    notices_send_due(now=tomorrow_class.sessions[0].starts_at - timedelta(hours=23))

    reminder = _notifications().get(kind="session_reminder", recipient=leaving.learner)
    assert (reminder.status, reminder.reason) == ("skipped", "no longer enrolled")
    assert sorted(message["To"] for message in inbox.messages) == sorted(
        item.learner.email for item in tomorrow_class.enrollments[1:]
    )


def test_an_unsubscribed_learner_gets_no_reminder_but_still_hears_the_session_moved(
    tomorrow_class, inbox, personas
) -> None:
    learner = tomorrow_class.enrollments[0].learner
    client = Client()
    client.force_login(learner)
    client.post(reverse("notice_preferences"), {"session_changed-email": "on"})
    now = timezone.now()
    reminders.session_reminders_plan(now=now)
    notices_send_due(now=tomorrow_class.sessions[0].starts_at - timedelta(hours=23))

    reminder = _notifications().get(kind="session_reminder", recipient=learner)
    assert (reminder.status, reminder.reason) == ("skipped", "unsubscribed")
    assert learner.email not in [message["To"] for message in inbox.messages]


def test_a_moved_session_skips_the_old_reminder_tells_everyone_and_is_reminded_anew(
    tomorrow_class, inbox
) -> None:
    now = timezone.now()
    reminders.session_reminders_plan(now=now)
    session = tomorrow_class.sessions[0]
    manager = UserFactory()
    apps.get_model("profiles", "Membership").objects.create(
        user=manager, organization=tomorrow_class.offering.course.provider, role="manager"
    )
    later = session.starts_at + timedelta(hours=3)

    sessions.session_reschedule(
        actor=manager,
        session=session,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        room="Hội trường",
        reason="Mất điện",
    )
    notices_send_due(now=now)  # the "moved" notices are sent at once
    notices_send_due(now=session.starts_at - timedelta(hours=23))  # the old reminders' time

    moved = [
        m
        for m in inbox.messages
        if "đổi lịch" in mail_subject(m) or "rescheduled" in mail_subject(m)
    ]
    assert len(moved) == 3
    text = mail_bodies(moved[0])["text/plain"]
    assert "Lịch mới:" in text
    assert "Phòng học: Hội trường" in text
    assert "Lý do: Mất điện" in text
    old = _notifications().filter(kind="session_reminder")
    assert set(old.values_list("status", "reason")) == {("skipped", "session moved")}
    assert reminders.session_reminders_plan(now=later - timedelta(hours=24, minutes=5)) == {
        "24h": 3,
        "2h": 0,
    }


def test_a_session_moved_away_from_the_same_time_twice_is_told_both_times(
    tomorrow_class, inbox
) -> None:
    session = tomorrow_class.sessions[0]
    manager = UserFactory()
    apps.get_model("profiles", "Membership").objects.create(
        user=manager, organization=tomorrow_class.offering.course.provider, role="manager"
    )
    first = session.starts_at
    for starts_at in (first + timedelta(days=1), first, first + timedelta(days=2)):
        sessions.session_reschedule(
            actor=manager,
            session=session,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            room="",
            reason="",
        )

    moved = _notifications().filter(kind="session_changed")
    assert moved.count() == 3 * 3
    assert set(moved.values_list("context__after", flat=True)) == {
        moment.isoformat()
        for moment in (first + timedelta(days=1), first, first + timedelta(days=2))
    }


def test_a_cancelled_session_is_told_to_everyone_enrolled(tomorrow_class, inbox) -> None:
    session = tomorrow_class.sessions[0]
    manager = UserFactory()
    apps.get_model("profiles", "Membership").objects.create(
        user=manager, organization=tomorrow_class.offering.course.provider, role="manager"
    )

    sessions.session_delete(actor=manager, session=session, reason="Trùng lịch bầu cử")
    notices_send_due()

    assert not Session.objects.filter(pk=session.pk).exists()
    cancelled = [
        m for m in inbox.messages if m["To"] == tomorrow_class.enrollments[0].learner.email
    ]
    assert mail_subject(cancelled[0]) == "Buổi học bị hủy: Tin học cơ bản"
    assert "Lý do: Trùng lịch bầu cử" in mail_bodies(cancelled[0])["text/plain"]
    assert len(inbox.messages) == 3


def test_an_enrollment_confirmation_is_not_sent_after_the_learner_cancelled(inbox) -> None:
    offering = offering_make(course_make(OrganizationFactory()))
    learner = UserFactory()
    taken, _ = enrollment.enrollment_create(actor=learner, offering_id=offering.pk)
    enrollment.enrollment_cancel(actor=learner, enrollment_id=taken.public_id)

    notices_send_due()

    notice = _notifications().get(kind="enrollment_confirmed")
    assert (notice.status, notice.reason) == ("skipped", "enrollment changed")
    assert inbox.messages == []


def test_the_inactivity_nudge_offers_three_open_classes_near_the_person(inbox) -> None:
    now = timezone.now()
    quiet = UserFactory(date_joined=now - timedelta(days=400))
    quiet.citizen_profile.residence_ward = ward("phuong_hoan_kiem")
    quiet.citizen_profile.save(update_fields=["residence_ward"])
    _consent(quiet)
    busy = UserFactory(date_joined=now - timedelta(days=400))
    _consent(busy)
    newcomer = UserFactory()
    _consent(newcomer)
    provider = OrganizationFactory()
    near = [
        offering_make(course_make(provider, title=f"Lớp gần nhà {number}")) for number in range(4)
    ]
    far = offering_make(course_make(provider, title="Lớp ở Huế"), ward_codename="phuong_thuan_hoa")
    Enrollment.objects.create(offering=far, learner=busy, status="active")

    assert reminders.inactivity_nudges_plan(now=now) == 1
    assert reminders.inactivity_nudges_plan(now=now) == 0  # once per half year
    notices_send_due()

    [message] = inbox.messages
    text = mail_bodies(message)["text/plain"]
    assert message["To"] == quiet.email
    assert mail_subject(message) == "Học điều mới gần nhà bạn"
    assert text.count("Lớp gần nhà") == 3
    assert "Lớp ở Huế" not in text
    assert reverse("course_detail", args=[near[0].course.public_id]) in text


def test_a_manager_moves_a_session_from_its_page_and_another_center_gets_404(
    tomorrow_class, inbox
) -> None:
    from profiles.tests.factories import with_mfa

    session = tomorrow_class.sessions[0]
    manager, stranger = UserFactory(), UserFactory()
    Membership = apps.get_model("profiles", "Membership")
    Membership.objects.create(
        user=manager, organization=tomorrow_class.offering.course.provider, role="manager"
    )
    Membership.objects.create(user=stranger, organization=OrganizationFactory(), role="manager")
    with_mfa(manager, stranger)
    client, other = Client(), Client()
    client.force_login(manager)
    other.force_login(stranger)
    url = reverse("session_change", args=[session.public_id])
    new_day = timezone.localtime(session.starts_at).date() + timedelta(days=1)
    move = {
        "action": "move",
        "day": new_day.isoformat(),
        "starts_at": "18:00",
        "ends_at": "20:00",
        "room": "Phòng 3",
        "reason": "Trùng lịch họp tổ dân phố",
    }

    page = client.get(url)
    refused = other.post(url, move)
    moved = client.post(url, move)
    notices_send_due()

    assert page.status_code == 200
    assert refused.status_code == 404
    assert moved.status_code == 302
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).hour == 18
    assert len(inbox.messages) == 3
    assert "Trùng lịch họp tổ dân phố" in mail_bodies(inbox.messages[0])["text/plain"]
