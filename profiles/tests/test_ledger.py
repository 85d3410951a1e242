"""The learning record ledger, through profiles.api as courses and credentials will use it."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from learnprofile.audit.models import AuditEvent
from learnprofile.errors import NotFound
from profiles import api
from profiles.data import LearningCategory, LearningRecordData, LearningRecordKind
from profiles.models import LearningRecord
from profiles.services.learning import SourceBelongsToAnotherCitizen


def _add(
    citizen_id: int, source_id: str = "enrollment:41", **overrides: object
) -> LearningRecordData:
    values: dict[str, object] = {
        "citizen_id": citizen_id,
        "kind": LearningRecordKind.COURSE_COMPLETED,
        "title": "Tin học cơ bản",
        "category": LearningCategory.DIGITAL_SKILLS,
        "source_app": "courses",
        "source_id": source_id,
        "hours": Decimal("24"),
        "started_on": date(2026, 9, 1),
        "ended_on": date(2026, 10, 15),
    }
    values.update(overrides)
    return api.learning_record_add(**values)  # type: ignore[arg-type]


def test_adding_the_same_source_twice_leaves_one_row(personas) -> None:
    first = _add(personas.learner.pk)
    second = _add(personas.learner.pk, title="Another title the caller sent by mistake")

    assert (
        LearningRecord.objects.filter(source_app="courses", source_id="enrollment:41").count() == 1
    )
    assert second == first
    assert second.title == "Tin học cơ bản"
    assert AuditEvent.objects.filter(action="learning_record.added").count() == 1


def test_added_record_is_verified_and_dated_by_its_end(personas) -> None:
    record = _add(personas.learner.pk)

    assert record.verification_status == "verified"
    assert record.occurred_on == date(2026, 10, 15)
    assert record.hours == Decimal("24")
    assert record.is_revoked is False


def test_source_recorded_for_another_citizen_is_refused(personas) -> None:
    _add(personas.learner.pk)

    with pytest.raises(SourceBelongsToAnotherCitizen):
        _add(personas.other_learner.pk)
    assert LearningRecord.objects.get().citizen == personas.learner


def test_bad_values_write_nothing(personas) -> None:
    with pytest.raises(ValidationError):
        _add(personas.learner.pk, hours=Decimal(-3))
    with pytest.raises(ValidationError):
        _add(personas.learner.pk, category="astrology")
    with pytest.raises(ValidationError):
        _add(personas.learner.pk, started_on=date(2026, 10, 1), ended_on=date(2026, 9, 1))
    assert not LearningRecord.objects.exists()


def test_revoking_marks_the_row_and_keeps_history(personas) -> None:
    _add(personas.learner.pk, source_id="credential:9", kind=LearningRecordKind.CREDENTIAL)

    revoked = api.learning_record_revoke(
        source_app="courses", source_id="credential:9", reason="issued in error"
    )
    again = api.learning_record_revoke(source_app="courses", source_id="credential:9", reason="x")

    row = LearningRecord.objects.get()
    assert revoked.is_revoked
    assert again.is_revoked
    assert row.revoke_reason == "issued in error"
    assert row.title == "Tin học cơ bản"
    assert [r.is_revoked for r in api.learning_records_of(citizen_id=personas.learner.pk)] == [True]
    assert api.learning_hours(citizen_id=personas.learner.pk, year=2026) == Decimal(0)


def test_revoking_an_unknown_source_is_not_found(personas) -> None:
    with pytest.raises(NotFound):
        api.learning_record_revoke(source_app="courses", source_id="nope", reason="x")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_of_one_source_create_one_row(personas) -> None:
    results: list[LearningRecordData] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def write() -> None:
        try:
            barrier.wait()
            results.append(_add(personas.learner.pk, source_id="enrollment:race"))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert LearningRecord.objects.filter(source_id="enrollment:race").count() == 1
    assert len({result.public_id for result in results}) == 1
