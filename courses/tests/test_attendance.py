"""Marking a roster, the offline batch sync, CSV files, and refusals that write nothing."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import AttendanceChange, AttendanceMark, Offering, WalkInLearner
from courses.tests.factories import class_make
from learnprofile.audit.models import AuditEvent
from learnprofile.jobs.models import Job
from profiles.tests.factories import with_mfa
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(personas):
    return personas.center_staff.memberships.get().organization


@pytest.fixture
def staff_client(client, personas):
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    return client


def _roster_post(klass, statuses: dict) -> dict:
    data = {}
    for enrollment in klass.enrollments:
        status = statuses.get(enrollment.pk, "present")
        data[f"status-{enrollment.public_id}"] = status
        data[f"note-{enrollment.public_id}"] = ""
    return data


def test_marking_sixty_learners_is_one_request_and_one_transaction(staff_client, center) -> None:
    klass = class_make(center, learners=60)
    url = reverse("session_roster", args=[klass.current.public_id])

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.post(url, _roster_post(klass, {}))

    assert response.status_code == 302
    assert AttendanceMark.objects.filter(session=klass.current, status="present").count() == 60
    assert AttendanceChange.objects.filter(mark__session=klass.current).count() == 60
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the service's one transaction (the test wraps its own)
    assert len(queries.captured_queries) <= 25


def test_the_same_roster_submitted_again_changes_nothing(staff_client, center) -> None:
    klass = class_make(center, learners=5)
    url = reverse("session_roster", args=[klass.current.public_id])
    data = _roster_post(klass, {klass.enrollments[0].pk: "absent"})
    staff_client.post(url, data)
    before = list(AttendanceMark.objects.order_by("id").values_list("id", "status", "updated_at"))

    staff_client.post(url, data)

    assert (
        list(AttendanceMark.objects.order_by("id").values_list("id", "status", "updated_at"))
        == before
    )
    assert AttendanceChange.objects.count() == 5


def test_an_edit_writes_one_history_row_with_before_and_after(
    staff_client, center, personas
) -> None:
    klass = class_make(center, learners=2)
    url = reverse("session_roster", args=[klass.current.public_id])
    staff_client.post(url, _roster_post(klass, {}))
    learner = klass.enrollments[1]

    staff_client.post(url, _roster_post(klass, {learner.pk: "late"}))

    mark = AttendanceMark.objects.get(session=klass.current, enrollment=learner)
    edit = mark.changes.order_by("id").last()
    assert mark.changes.count() == 2
    assert (edit.before_status, edit.after_status) == ("present", "late")
    assert (edit.actor, edit.source) == (personas.center_staff, "roster")
    assert mark.status == "late"


def test_a_roster_with_one_foreign_learner_is_refused_whole_and_audited(
    staff_client, center, personas
) -> None:
    klass = class_make(center, learners=3)
    other_center = personas.other_center_staff.memberships.get().organization
    foreign = class_make(other_center, learners=1).enrollments[0]
    data = _roster_post(klass, {})
    data[f"status-{foreign.public_id}"] = "present"

    response = staff_client.post(reverse("session_roster", args=[klass.current.public_id]), data)

    assert response.status_code == 400
    assert "không thuộc trung tâm của bạn" in response.content.decode()
    assert AttendanceMark.objects.count() == 0
    refusal = AuditEvent.objects.get(action="attendance.refused")
    assert refusal.details["enrollments"] == [str(foreign.public_id)]
    assert refusal.actor == personas.center_staff


def test_a_status_that_is_not_one_of_the_four_is_refused_and_writes_nothing(
    staff_client, center
) -> None:
    klass = class_make(center, learners=2)
    data = _roster_post(klass, {klass.enrollments[0].pk: "sleeping"})

    response = staff_client.post(reverse("session_roster", args=[klass.current.public_id]), data)

    assert response.status_code == 400
    assert AttendanceMark.objects.count() == 0


def _sync_mark(klass, enrollment, status, *, minutes_ago=5, mark_id=None) -> dict:
    return {
        "id": str(mark_id or uuid.uuid4()),
        "session": str(klass.current.public_id),
        "enrollment": str(enrollment.public_id),
        "status": status,
        "note": "",
        "marked_at": (timezone.now() - timedelta(minutes=minutes_ago)).isoformat(),
    }


def test_offline_marks_synced_twice_are_written_once(staff_client, center) -> None:
    klass = class_make(center, learners=4)
    batch = {"marks": [_sync_mark(klass, e, "present") for e in klass.enrollments]}
    url = reverse("api_attendance_sync")

    first = staff_client.post(url, batch, content_type="application/json")
    second = staff_client.post(url, batch, content_type="application/json")

    assert first.status_code == second.status_code == 200
    assert first.json()["created"] == 4
    assert second.json()["duplicates"] == 4
    assert {row["result"] for row in second.json()["results"]} == {"duplicate"}
    assert AttendanceMark.objects.count() == 4
    assert AttendanceChange.objects.count() == 4


def test_conflicting_offline_marks_keep_the_latest_device_time_and_record_it(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    learner = klass.enrollments[0]
    url = reverse("api_attendance_sync")
    # Tablet A marked "absent" 2 minutes ago; tablet B, offline, marked "present" 10 minutes ago.
    staff_client.post(
        url,
        {"marks": [_sync_mark(klass, learner, "absent", minutes_ago=2)]},
        content_type="application/json",
    )

    late_arrival = staff_client.post(
        url,
        {"marks": [_sync_mark(klass, learner, "present", minutes_ago=10)]},
        content_type="application/json",
    )

    assert late_arrival.json()["results"][0]["result"] == "superseded"
    assert AttendanceMark.objects.get().status == "absent"
    conflict = AttendanceChange.objects.get(is_conflict=True)
    assert (conflict.before_status, conflict.outcome) == ("absent", "superseded")

    newer = staff_client.post(
        url,
        {"marks": [_sync_mark(klass, learner, "late", minutes_ago=1)]},
        content_type="application/json",
    )

    assert newer.json()["results"][0]["result"] == "applied"
    assert AttendanceMark.objects.get().status == "late"


def test_a_sync_batch_with_one_foreign_session_is_refused_whole(
    staff_client, center, personas
) -> None:
    klass = class_make(center, learners=2)
    foreign = class_make(personas.other_center_staff.memberships.get().organization, learners=1)
    marks = [_sync_mark(klass, e, "present") for e in klass.enrollments]
    marks.append(_sync_mark(foreign, foreign.enrollments[0], "present"))

    response = staff_client.post(
        reverse("api_attendance_sync"), {"marks": marks}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "foreign_ids"
    assert AttendanceMark.objects.count() == 0
    assert AuditEvent.objects.filter(action="attendance.refused").count() == 1


def test_falling_below_the_minimum_queues_one_low_attendance_notice(staff_client, center) -> None:
    klass = class_make(center, learners=2, sessions=3)
    weak = klass.enrollments[0]
    for session in klass.sessions:
        staff_client.post(
            reverse("session_roster", args=[session.public_id]),
            _roster_post(klass, {weak.pk: "absent"}),
        )

    notices = Job.objects.filter(kind="attendance.low")
    assert [job.payload["enrollment_id"] for job in notices] == [weak.pk]


def test_excused_absences_do_not_count_against_the_learner(staff_client, center) -> None:
    klass = class_make(center, learners=1, sessions=3)
    for session in klass.sessions:
        staff_client.post(
            reverse("session_roster", args=[session.public_id]),
            _roster_post(klass, {klass.enrollments[0].pk: "excused"})
            if session != klass.current
            else _roster_post(klass, {}),
        )

    assert not Job.objects.filter(kind="attendance.low").exists()


def test_session_csv_export_is_the_import_template(staff_client, center) -> None:
    klass = class_make(center, learners=3)
    exported = staff_client.get(reverse("session_export", args=[klass.current.public_id]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    for row, status in zip(rows, ["Có mặt", "vang co phep", "x"], strict=True):
        row["trang_thai"] = status
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": SimpleUploadedFile("diem-danh.csv", buffer.getvalue().encode())},
    )

    assert response.status_code == 200
    assert [row["ho_ten"] for row in rows] == ["Học viên 01", "Học viên 02", "Học viên 03"]
    assert sorted(AttendanceMark.objects.values_list("status", flat=True)) == [
        "excused",
        "present",
        "present",
    ]
    assert set(AttendanceMark.objects.values_list("source", flat=True)) == {"import"}


def test_a_csv_import_with_one_bad_row_reports_it_and_writes_nothing(staff_client, center) -> None:
    klass = class_make(center, learners=2)
    content = (
        "ma_dang_ky,ho_ten,trang_thai\n"
        f"{klass.enrollments[0].public_id},Học viên 01,có mặt\n"
        f"{klass.enrollments[1].public_id},Học viên 02,ngủ gật\n"
    )

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": SimpleUploadedFile("d.csv", content.encode())},
    )

    page = response.content.decode()
    assert "ngủ gật" in page
    assert "1 dòng lỗi: chưa ghi điểm danh nào" in page
    assert AttendanceMark.objects.count() == 0


def test_exported_names_cannot_run_as_spreadsheet_formulas(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    profile = klass.enrollments[0].learner.citizen_profile
    profile.full_name = '=HYPERLINK("http://x")'
    profile.save()

    exported = staff_client.get(reverse("offering_export", args=[klass.offering.public_id]))

    assert "'=HYPERLINK" in exported.content.decode("utf-8-sig")


def test_roster_page_query_count_does_not_grow_with_the_class(
    staff_client, center, django_assert_max_num_queries
) -> None:
    klass = class_make(center, learners=40)
    with django_assert_max_num_queries(16):
        response = staff_client.get(reverse("session_roster", args=[klass.current.public_id]))
    assert response.content.decode().count('type="radio"') == 160


def test_the_batch_api_is_documented_in_the_openapi_schema(client) -> None:
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    sync = schema["paths"]["/api/v1/staff/attendance/sync/"]["post"]
    assert "idempotent" in sync["summary"]
    body = schema["components"]["schemas"]["SyncMarkRequest"]["properties"]
    assert set(body) == {"id", "session", "enrollment", "status", "note", "marked_at"}


def test_demo_data_holds_one_class_under_way_with_its_marks(db) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    offering = Offering.objects.get(course__title="Kỹ năng số cho người cao tuổi")
    assert offering.enrolled_count == 2
    assert AttendanceMark.objects.filter(session__offering=offering).count() == 10
    assert WalkInLearner.objects.count() == 1


def test_a_sync_batch_with_a_malformed_mark_is_refused_with_its_field_errors(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    good = _sync_mark(klass, klass.enrollments[0], "present")
    bad = {**good, "id": "not-a-uuid", "status": "sleeping", "marked_at": "hôm qua"}

    response = staff_client.post(
        reverse("api_attendance_sync"), {"marks": [good, bad]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]["marks"]["1"]) == {"id", "status", "marked_at"}
    assert AttendanceMark.objects.count() == 0


@pytest.mark.parametrize(
    "hostile",
    [
        {"status": "present", "note": "đến muộn\x00 vì mưa"},
        {"status": "present\x00"},
        {"status": "present", "note": "x" * 5000},
    ],
    ids=["nul-in-note", "nul-in-status", "long-note"],
)
def test_hostile_roster_values_never_become_a_server_error(staff_client, center, hostile) -> None:
    klass = class_make(center, learners=1)
    enrollment = klass.enrollments[0]
    data = {f"status-{enrollment.public_id}": hostile["status"]}
    if "note" in hostile:
        data[f"note-{enrollment.public_id}"] = hostile["note"]

    response = staff_client.post(reverse("session_roster", args=[klass.current.public_id]), data)

    assert response.status_code in (302, 400)
    marks = list(AttendanceMark.objects.values_list("status", "note"))
    assert marks in ([], [("present", "đến muộn vì mưa")], [("present", "x" * 300)])


def test_a_nul_in_an_offline_note_is_stored_as_a_space(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    mark = {**_sync_mark(klass, klass.enrollments[0], "late"), "note": "xe\x00hỏng"}

    response = staff_client.post(
        reverse("api_attendance_sync"), {"marks": [mark]}, content_type="application/json"
    )

    assert response.status_code == 200
    assert AttendanceMark.objects.get().note == "xe hỏng"


def test_the_low_attendance_notice_mails_the_learner_once_in_their_language(
    staff_client, center
) -> None:
    klass = class_make(center, learners=2, sessions=3)
    weak = klass.enrollments[0]
    weak.learner.preferred_language = "en"
    weak.learner.save()
    for session in klass.sessions:
        staff_client.post(
            reverse("session_roster", args=[session.public_id]),
            _roster_post(klass, {weak.pk: "absent"}),
        )
    mail.outbox.clear()

    run_pending_jobs()
    run_pending_jobs()

    notices = [message for message in mail.outbox if "missed several sessions" in message.subject]
    assert [message.to for message in notices] == [[weak.learner.email]]
    assert "You have attended 0 of 3 sessions of “Tin học cơ bản”" in notices[0].body
