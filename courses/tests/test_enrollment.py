"""Enrollment rules, waitlist promotion and the emails they send."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from conftest import Personas
from courses.models import Enrollment, Offering
from courses.services.catalog import offering_update
from courses.services.enrollment import (
    EmailNotVerified,
    EnrollmentClosed,
    OfferingNotOpen,
    enrollment_cancel,
    enrollment_create,
    offering_cancel,
    waitlist_promote,
)
from courses.tests.factories import course_make, offering_make
from learnprofile.jobs.models import Job
from profiles.tests.factories import UserFactory
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(personas: Personas):
    return personas.center_manager.memberships.get().organization


def test_full_offering_puts_learner_on_waitlist(center: object) -> None:
    offering = offering_make(course_make(center), capacity=1)
    first, second = UserFactory.create_batch(2)

    enrollment_create(actor=first, offering_id=offering.pk)
    waiting, created = enrollment_create(actor=second, offering_id=offering.pk)

    assert created is True
    assert waiting.status == "waitlisted"


def test_cancellation_promotes_first_waitlisted_and_mails_once_even_if_task_runs_twice(
    center: object,
) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"), capacity=1)
    seated, first_waiting, second_waiting = UserFactory.create_batch(3)
    seat, _ = enrollment_create(actor=seated, offering_id=offering.pk)
    enrollment_create(actor=first_waiting, offering_id=offering.pk)
    enrollment_create(actor=second_waiting, offering_id=offering.pk)
    run_pending_jobs()
    mail.outbox.clear()

    enrollment_cancel(actor=seated, enrollment_id=seat.public_id)
    run_pending_jobs()
    waitlist_promote(offering_id=offering.pk)  # the promotion task delivered a second time
    promote_job = Job.objects.get(kind="courses.waitlist_promote")
    promote_job.status = Job.Status.PENDING
    promote_job.save()
    run_pending_jobs()
    run_pending_jobs()

    statuses = dict(Enrollment.objects.filter(offering=offering).values_list("learner", "status"))
    assert statuses == {
        seated.pk: "cancelled",
        first_waiting.pk: "active",
        second_waiting.pk: "waitlisted",
    }
    assert [message.to for message in mail.outbox] == [[first_waiting.email]]
    assert "Tin học cơ bản" in mail.outbox[0].subject
    assert Offering.objects.get(pk=offering.pk).enrolled_count == 1


def test_more_seats_promote_the_waitlist_in_order(personas: Personas, center: object) -> None:
    offering = offering_make(course_make(center), capacity=1)
    learners = UserFactory.create_batch(4)
    for learner in learners:
        enrollment_create(actor=learner, offering_id=offering.pk)

    offering_update(actor=personas.center_manager, offering=offering, capacity=3)
    run_pending_jobs()

    active = Enrollment.objects.filter(offering=offering, status="active")
    assert set(active.values_list("learner", flat=True)) == {
        learners[0].pk,
        learners[1].pk,
        learners[2].pk,
    }


def test_new_learner_does_not_jump_the_waitlist_when_a_seat_frees(center: object) -> None:
    offering = offering_make(course_make(center), capacity=1)
    seated, waiting, newcomer = UserFactory.create_batch(3)
    seat, _ = enrollment_create(actor=seated, offering_id=offering.pk)
    enrollment_create(actor=waiting, offering_id=offering.pk)
    enrollment_cancel(actor=seated, enrollment_id=seat.public_id)  # promotion not yet run

    late, _ = enrollment_create(actor=newcomer, offering_id=offering.pk)
    run_pending_jobs()

    assert late.status == "waitlisted"
    assert Enrollment.objects.get(learner=waiting, offering=offering).status == "active"


def test_confirmation_email_is_in_the_learners_language(center: object) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"))
    learner = UserFactory(preferred_language="en")

    enrollment_create(actor=learner, offering_id=offering.pk)
    run_pending_jobs()

    assert mail.outbox[-1].subject == "Enrollment confirmed: Tin học cơ bản"
    assert "You are enrolled" in mail.outbox[-1].body


def test_vietnamese_waitlist_email_gives_the_position(center: object) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"), capacity=1)
    enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    run_pending_jobs()

    assert mail.outbox[-1].subject == "Bạn đang trong danh sách chờ: Tin học cơ bản"
    assert "vị trí số 1" in mail.outbox[-1].body


def assert_nothing_written(offering: Offering) -> None:
    assert Enrollment.objects.filter(offering=offering).count() == 0
    assert Offering.objects.get(pk=offering.pk).enrolled_count == 0
    assert not Job.objects.exists()


def test_enrolling_before_the_window_opens_is_refused(center: object) -> None:
    offering = offering_make(
        course_make(center), enrollment_opens_at=timezone.now() + timedelta(days=2)
    )
    with pytest.raises(EnrollmentClosed, match="mở đăng ký từ"):
        enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    assert_nothing_written(offering)


def test_enrolling_after_the_deadline_is_refused(center: object) -> None:
    offering = offering_make(
        course_make(center), enrollment_closes_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(EnrollmentClosed, match="hết hạn đăng ký"):
        enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    assert_nothing_written(offering)


def test_enrolling_into_a_cancelled_offering_is_refused(center: object) -> None:
    offering = offering_make(course_make(center), status="cancelled")
    with pytest.raises(OfferingNotOpen, match="đã bị hủy"):
        enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    assert_nothing_written(offering)


def test_enrolling_without_a_verified_email_is_refused(center: object) -> None:
    offering = offering_make(course_make(center))
    learner = UserFactory(verified_email=False)
    EmailAddress.objects.create(user=learner, email=learner.email, verified=False, primary=True)
    with pytest.raises(EmailNotVerified, match="xác minh địa chỉ email"):
        enrollment_create(actor=learner, offering_id=offering.pk)
    assert_nothing_written(offering)


def test_cancelling_an_offering_cancels_everyone_and_mails_each_once(
    personas: Personas, center: object
) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"), capacity=1)
    seated, waiting = UserFactory.create_batch(2)
    enrollment_create(actor=seated, offering_id=offering.pk)
    enrollment_create(actor=waiting, offering_id=offering.pk)
    run_pending_jobs()
    mail.outbox.clear()

    offering_cancel(actor=personas.center_manager, offering_id=offering.pk, reason="Giáo viên ốm")
    offering_cancel(actor=personas.center_manager, offering_id=offering.pk, reason="Lần hai")
    run_pending_jobs()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([seated.email, waiting.email])
    assert all("Giáo viên ốm" in message.body for message in mail.outbox)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Offering.objects.get(pk=offering.pk).status == "cancelled"


def test_learner_cannot_cancel_someone_elses_enrollment(personas: Personas, center: object) -> None:
    offering = offering_make(course_make(center))
    enrollment, _ = enrollment_create(actor=personas.learner, offering_id=offering.pk)

    from learnprofile.errors import NotFound

    with pytest.raises(NotFound):
        enrollment_cancel(actor=personas.other_learner, enrollment_id=enrollment.public_id)
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
