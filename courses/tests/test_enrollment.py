"""Enrollment rules, waitlist promotion and the emails they send."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from courses.models import Course, Enrollment, Offering
from courses.services.catalog import course_update, offering_update
from courses.services.enrollment import (
    enrollment_cancel,
    enrollment_create,
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


def test_capacity_raised_again_to_a_value_it_had_before_still_promotes_the_waitlist(
    personas: Personas, center: object
) -> None:
    offering = offering_make(course_make(center), capacity=1)
    first, second, newcomer = UserFactory.create_batch(3)
    seat, _ = enrollment_create(actor=first, offering_id=offering.pk)
    offering_update(actor=personas.center_manager, offering=offering, capacity=2)
    enrollment_create(actor=second, offering_id=offering.pk)
    enrollment_cancel(actor=first, enrollment_id=seat.public_id)
    offering_update(actor=personas.center_manager, offering=offering, capacity=1)
    waiting, _ = enrollment_create(actor=newcomer, offering_id=offering.pk)
    run_pending_jobs()
    assert Enrollment.objects.get(pk=waiting.pk).status == "waitlisted"

    offering_update(actor=personas.center_manager, offering=offering, capacity=2)
    run_pending_jobs()

    assert Enrollment.objects.get(pk=waiting.pk).status == "active"
    assert Offering.objects.get(pk=offering.pk).enrolled_count == 2


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
    for _ in range(3):
        enrollment_create(actor=UserFactory(), offering_id=offering.pk)
    run_pending_jobs()

    assert mail.outbox[-1].subject == "Bạn đang trong danh sách chờ: Tin học cơ bản"
    assert "vị trí số 2" in mail.outbox[-1].body


def test_my_enrollments_give_each_waitlist_position(client, center: object) -> None:
    offering = offering_make(course_make(center), capacity=1)
    learners = UserFactory.create_batch(4)
    for learner in learners:
        enrollment_create(actor=learner, offering_id=offering.pk)
    client.force_login(learners[3])

    data = client.get("/api/v1/me/enrollments/").json()

    assert [(row["status"], row["waitlist_position"]) for row in data] == [("waitlisted", 3)]


def test_course_change_rewrites_every_offering_in_a_fixed_number_of_queries(
    personas: Personas, center: object
) -> None:
    def queries_to_rename(course: Course, title: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            course_update(actor=personas.center_manager, course=course, title=title)
        return len(queries)

    small, large = course_make(center), course_make(center)
    offering_make(small)
    for codename in ("phuong_hoan_kiem", "phuong_ba_dinh", "xa_ea_kar"):
        for _ in range(4):
            offering_make(large, ward_codename=codename)

    queries_to_rename(small, "Tin học 1")  # the actor's centers are then remembered
    assert queries_to_rename(large, "Tin học văn phòng") == queries_to_rename(small, "Tin học 2")
    assert set(Offering.objects.filter(course=large).values_list("search_title", flat=True)) == {
        "tin hoc van phong"
    }


@pytest.mark.parametrize(
    ("language", "greeting"), [("vi", "Xin chào bạn,"), ("en", "Hello there,")]
)
def test_a_learner_without_a_name_is_greeted_not_left_blank(
    center: object, language: str, greeting: str
) -> None:
    offering = offering_make(course_make(center))
    learner = UserFactory(preferred_language=language)
    learner.citizen_profile.full_name = ""
    learner.citizen_profile.save(update_fields=["full_name"])

    enrollment_create(actor=learner, offering_id=offering.pk)
    run_pending_jobs()

    assert mail.outbox[-1].body.startswith(greeting)


@pytest.fixture
def finished_class(personas: Personas, center: object):
    from courses.tests.factories import class_close, class_make

    klass = class_make(center, learners=2, sessions=2)
    class_close(klass, actor=personas.center_staff)
    return klass


@pytest.mark.parametrize("where", ["page", "api"])
def test_an_enrollment_in_a_finished_class_cannot_be_cancelled_and_nothing_changes(
    client, finished_class, where: str
) -> None:
    from django.urls import reverse

    seat = finished_class.enrollments[0]
    count = Offering.objects.get(pk=finished_class.offering.pk).enrolled_count
    client.force_login(seat.learner)
    name = "enrollment_cancel" if where == "page" else "api_enrollment_cancel"

    response = client.post(reverse(name, args=[seat.public_id]))

    assert response.status_code == 409
    assert "Lớp học đã kết thúc nên không thể hủy đăng ký." in response.content.decode()
    assert Enrollment.objects.get(pk=seat.pk).status == "active"
    assert Offering.objects.get(pk=finished_class.offering.pk).enrolled_count == count
