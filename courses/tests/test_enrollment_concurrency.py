"""Seats are never over-booked, whatever the concurrency (real PostgreSQL, real threads)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from courses.models import Enrollment, Offering
from courses.services.enrollment import enrollment_create
from courses.tests.factories import course_make, offering_make
from profiles.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(calls: list[Callable[[], object]]) -> list[BaseException]:
    """Start every call together (a barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("attempt", range(3))
def test_fifty_learners_at_once_fill_ten_seats_and_wait_forty(attempt: int) -> None:
    offering = offering_make(course_make(OrganizationFactory()), capacity=10)
    learners = UserFactory.create_batch(50)

    errors = run_at_once(
        [
            lambda learner=learner: enrollment_create(actor=learner, offering_id=offering.pk)
            for learner in learners
        ]
    )

    assert errors == []
    assert Enrollment.objects.filter(offering=offering, status="active").count() == 10
    assert Enrollment.objects.filter(offering=offering, status="waitlisted").count() == 40
    assert Offering.objects.get(pk=offering.pk).enrolled_count == 10


def test_one_learner_enrolling_ten_times_at_once_gets_one_enrollment() -> None:
    offering = offering_make(course_make(OrganizationFactory()), capacity=10)
    learner = UserFactory()

    errors = run_at_once(
        [lambda: enrollment_create(actor=learner, offering_id=offering.pk) for _ in range(10)]
    )

    assert errors == []
    assert Enrollment.objects.filter(offering=offering, learner=learner).count() == 1
    assert Offering.objects.get(pk=offering.pk).enrolled_count == 1
