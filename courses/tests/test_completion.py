"""Closing an offering decides each learner's completion once and writes the ledger once."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from courses.models import AttendanceStatus, Enrollment, MarkSource
from courses.services import attendance, completion
from courses.services.sessions import session_delete
from courses.tests.factories import class_make
from learnprofile.errors import Conflict
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db

# By label: courses (tests included) may not import profiles.models.
LearningRecord = apps.get_model("profiles", "LearningRecord")


@pytest.fixture
def center(personas):
    return personas.center_staff.memberships.get().organization


def _mark(actor, klass, statuses: dict[int, list[str]]) -> None:
    """statuses: {learner index: [status at session 0, 1, ...]}."""
    marks = [
        attendance.MarkInput(
            session_id=session.public_id,
            enrollment_id=klass.enrollments[index].public_id,
            status=per_session[number],
        )
        for index, per_session in statuses.items()
        for number, session in enumerate(klass.sessions)
    ]
    attendance.marks_record(actor=actor, marks=marks, source=MarkSource.ROSTER)


def test_closing_decides_each_learner_against_the_rule(center, personas) -> None:
    klass = class_make(center, learners=3, sessions=5)
    present, absent, excused = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, "excused"
    _mark(
        personas.center_staff,
        klass,
        {
            0: [present] * 5,  # 100 %
            1: [present, present, present, absent, absent],  # 60 % < 80 %
            2: [present, present, present, present, excused],  # 4/4: the excused one not counted
        },
    )

    completion.offering_close(actor=personas.center_staff, offering_id=klass.offering.public_id)

    results = {
        e.pk: (e.completion, e.attendance_percent, e.attended_hours)
        for e in Enrollment.objects.all()
    }
    assert results[klass.enrollments[0].pk] == ("completed", Decimal("100.0"), Decimal("10.00"))
    assert results[klass.enrollments[1].pk] == ("not_completed", Decimal("60.0"), Decimal("6.00"))
    assert results[klass.enrollments[2].pk] == ("completed", Decimal("100.0"), Decimal("8.00"))
    assert (
        Enrollment.objects.get(pk=klass.enrollments[1].pk).completion_reason
        == "Chuyên cần 60\u00a0%, dưới mức tối thiểu 80\u00a0%."
    )
    kinds = dict(LearningRecord.objects.values_list("citizen_id", "kind"))
    assert kinds == {
        klass.enrollments[0].learner_id: "course_completed",
        klass.enrollments[1].learner_id: "attendance",
        klass.enrollments[2].learner_id: "course_completed",
    }


def test_closing_an_offering_twice_writes_each_learning_record_once(center, personas) -> None:
    klass = class_make(center, learners=2, sessions=2)
    _mark(personas.center_staff, klass, {0: ["present"] * 2, 1: ["present"] * 2})

    _offering, first = completion.offering_close(
        actor=personas.center_staff, offering_id=klass.offering.public_id
    )
    _offering, second = completion.offering_close(
        actor=personas.center_staff, offering_id=klass.offering.public_id
    )
    swept = completion.offerings_close_due()

    assert (first, second, swept) == (2, 0, 0)
    assert LearningRecord.objects.count() == 2
    assert {record.source_id for record in LearningRecord.objects.all()} == {
        f"enrollment:{e.public_id}" for e in klass.enrollments
    }


def test_a_required_assessment_must_be_passed(client, center, personas) -> None:
    klass = class_make(center, learners=2, sessions=1, requires_assessment=True)
    _mark(personas.center_staff, klass, {0: ["present"], 1: ["present"]})
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    passed, failed = klass.enrollments

    response = client.post(
        reverse("offering_close", args=[klass.offering.public_id]),
        {f"passed-{passed.public_id}": "yes", f"passed-{failed.public_id}": "no"},
    )

    assert response.status_code == 302
    passed.refresh_from_db()
    failed.refresh_from_db()
    assert (passed.completion, failed.completion) == ("completed", "not_completed")
    assert failed.completion_reason == "Chưa đạt bài kiểm tra cuối khóa."


def test_the_sweep_closes_only_offerings_that_have_ended(center, personas) -> None:
    running = class_make(center, learners=1, sessions=1)
    ended = class_make(center, learners=1, sessions=1, title="Trồng lúa")
    ended.offering.ends_on = ended.offering.starts_on
    ended.offering.save()
    for klass in (running, ended):
        _mark(personas.center_staff, klass, {0: ["present"]})
    for session in ended.sessions:
        session.ends_at = session.starts_at + (session.ends_at - session.starts_at) / 4
        session.save()

    closed = completion.offerings_close_due()

    running.offering.refresh_from_db()
    ended.offering.refresh_from_db()
    assert (closed, running.offering.status, ended.offering.status) == (1, "published", "finished")


def test_staff_of_another_center_cannot_close_an_offering(client, center, personas) -> None:
    klass = class_make(center, learners=1, sessions=1)
    with_mfa(personas.other_center_staff)
    client.force_login(personas.other_center_staff)

    response = client.post(reverse("offering_close", args=[klass.offering.public_id]))

    assert response.status_code == 404
    klass.offering.refresh_from_db()
    assert klass.offering.status == "published"
    assert not LearningRecord.objects.exists()


def test_a_session_with_marks_cannot_be_deleted(center, personas) -> None:
    klass = class_make(center, learners=1, sessions=1)
    _mark(personas.center_staff, klass, {0: ["present"]})

    with pytest.raises(Conflict):
        session_delete(actor=personas.center_manager, session=klass.current)

    assert klass.current.marks.count() == 1
