"""The citizen's data rights: consent, export, deletion, deadlines."""

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from learnprofile.audit.models import AuditEvent
from learnprofile.jobs.models import Job
from profiles import api
from profiles.models import (
    CitizenProfile,
    ConsentRecord,
    DataRequest,
    EvidenceFile,
    HouseholdInvitation,
    LearningRecord,
    RegionalAdminScope,
    User,
)
from profiles.personal_data import NOT_ABOUT_THE_PERSON, personal_data_tables
from profiles.services import citizen_profile_update, households
from profiles.services.privacy.data_requests import data_requests_process, working_days_after
from profiles.tests.factories import PDF_BYTES, UserFactory, ward
from tests.helpers import run_pending_jobs

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Trần Thị Bích Ngọc"
PHONE = "+84987654321"
NATIONAL_ID = "001203004567"

# The tables an export must contain, listed by hand: a new table with a person's data must be
# added here and to profiles.personal_data (the coverage test below finds it).
EXPORTED_TABLES = {
    "profiles.user",
    "profiles.citizenprofile",
    "profiles.membership",
    "profiles.regionaladminscope",
    "profiles.learningrecord",
    "profiles.evidencefile",
    "profiles.publicprofile",
    "profiles.household",
    "profiles.householdmember",
    "profiles.householdinvitation",
    "profiles.consentrecord",
    "profiles.datarequest",
    "notices.notification",
    "notices.notificationpreference",
    "notices.broadcast",
    "account.emailaddress",
    "courses.enrollment",
    "courses.attendancemark",
    "courses.walkinlearner",
    "courses.walkinclaim",
    "credentials.credential",
    "credentials.issuance",
    "mfa.authenticator",
    "authtoken.token",
    "admin.logentry",
    "audit.auditevent",
}


def test_every_foreign_key_to_a_person_is_exported_or_explained() -> None:
    declared = {
        (table.label, name.split("__")[0])
        for table in personal_data_tables()
        for name in table.covers
    }
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    missing = []
    for model in apps.get_models():
        if model._meta.proxy:  # same table as its concrete model
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                key = (model._meta.label_lower, field.name)
                if key not in declared and key not in NOT_ABOUT_THE_PERSON:
                    missing.append(key)
    assert missing == []
    assert {table.label for table in personal_data_tables()} == EXPORTED_TABLES


def _enrollment_of(person, center) -> None:
    """An enrollment row, by model label: profiles may not import courses."""
    course = apps.get_model("courses", "Course").objects.create(
        provider=center, title="Tin học", summary="Máy tính", category="digital_skills", hours=8
    )
    offering = apps.get_model("courses", "Offering").objects.create(
        course=course,
        venue="Nhà văn hóa",
        ward=ward(),
        province=ward().parent,
        starts_on=date(2027, 1, 5),
        ends_on=date(2027, 2, 5),
        capacity=10,
        category="digital_skills",
        mode="in_person",
    )
    enrollment = apps.get_model("courses", "Enrollment").objects.create(
        offering=offering, learner=person, status="active"
    )
    session = apps.get_model("courses", "Session").objects.create(
        offering=offering,
        starts_at=datetime(2027, 1, 5, 8, tzinfo=UTC),
        ends_at=datetime(2027, 1, 5, 10, tzinfo=UTC),
    )
    apps.get_model("courses", "AttendanceMark").objects.create(
        session=session,
        enrollment=enrollment,
        status="present",
        source="roster",
        marked_at=datetime(2027, 1, 5, 8, tzinfo=UTC),
    )
    # The person's account began as a walk-in record of the center, then claimed another.
    walk_in = apps.get_model("courses", "WalkInLearner")
    walk_in.objects.create(learner=person, organization=center, birth_year=1960)
    other = walk_in.objects.create(
        learner=UserFactory(is_assisted=True), organization=center, birth_year=1961
    )
    apps.get_model("courses", "WalkInClaim").objects.create(walk_in=other, claimant=person)
    achievement = apps.get_model("credentials", "Achievement").objects.create(
        organization=center, name_vi="Tin học", description_vi="Khóa học", criteria="Hoàn thành"
    )
    status_list = apps.get_model("credentials", "StatusList").objects.create(
        organization=center, bits=bytes(131_072 // 8)
    )
    apps.get_model("credentials", "Credential").objects.create(
        achievement=achievement,
        learner=person,
        status_index=apps.get_model("credentials", "StatusIndex").objects.create(
            status_list=status_list, index=7
        ),
        document={"name": "Tin học"},
    )
    apps.get_model("notices", "Notification").objects.create(
        kind="session_reminder",
        channel="email",
        recipient=person,
        object_ref="session:1",
        dedupe_key=f"session_reminder:session:1:{person.pk}:email",
    )
    apps.get_model("notices", "NotificationPreference").objects.create(
        user=person, kind="broadcast", channel="sms", is_enabled=False
    )
    apps.get_model("notices", "Broadcast").objects.create(
        author=person, unit=ward(), subject_vi="Tuần lễ học tập", body_vi="Mời dự."
    )
    apps.get_model("credentials", "Issuance").objects.create(
        achievement=achievement, learner=person, status="refused", reason="Chưa hoàn thành"
    )


@pytest.fixture
def full_person(client, personas):
    """The center staff persona, with a row in every table that can hold data about them."""
    person = personas.center_staff
    citizen_profile_update(
        actor=person,
        profile=person.citizen_profile,
        full_name=NAME,
        date_of_birth=None,
        phone=PHONE,
        residence_ward=ward(),
        preferred_language="vi",
        national_id=NATIONAL_ID,
    )
    RegionalAdminScope.objects.create(user=person, unit=ward())
    center = person.memberships.get().organization
    api.learning_record_add(
        citizen_id=person.pk,
        kind="course_completed",
        title="Tin học cơ bản",
        category="digital_skills",
        source_app="courses",
        source_id="enrollment:1",
        hours=Decimal(20),
        provider_organization_id=center.pk,
    )
    client.force_login(person)
    client.post(
        reverse("learning_add"),
        {
            "title": "Tự học tiếng Anh",
            "category": "foreign_languages",
            "hours": "10",
            "evidence": [SimpleUploadedFile("bang.pdf", PDF_BYTES)],
        },
    )
    client.post(reverse("public_profile_settings"), {"is_enabled": "on"})
    households.household_create(actor=person, name="Nhà Ngọc")
    households.household_invite(actor=person, email="me@example.vn")
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": "S3CR3T"}
    )
    _enrollment_of(person, center)
    Token.objects.create(user=person)
    LogEntry.objects.log_actions(
        user_id=person.pk,
        queryset=[center],
        action_flag=ADDITION,
        change_message="created",
        single_object=True,
    )
    return person


def _export(client, person) -> dict:
    client.force_login(person)
    client.post(reverse("export_request"))
    run_pending_jobs()
    data_request = DataRequest.objects.get(user=person, kind="export")
    response = client.get(reverse("export_download", args=[data_request.public_id]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {
        "json": json.loads(archive.read("export.json")),
        "names": archive.namelist(),
        "zip": archive,
    }


def test_export_contains_every_tables_rows_about_the_person(client, full_person) -> None:
    exported = _export(client, full_person)
    tables = exported["json"]["tables"]

    assert set(tables) == EXPORTED_TABLES
    empty = sorted(label for label, rows in tables.items() if not rows)
    assert empty == []
    assert tables["profiles.user"][0]["email"] == full_person.email
    assert tables["profiles.citizenprofile"][0]["full_name"] == NAME
    assert tables["profiles.citizenprofile"][0]["national_id_last4"] == "4567"
    assert {row["title"] for row in tables["profiles.learningrecord"]} == {
        "Tin học cơ bản",
        "Tự học tiếng Anh",
    }
    assert "transcript.pdf" in exported["names"]
    assert any(
        name.startswith("evidence/") and name.endswith("bang.pdf") for name in exported["names"]
    )
    assert exported["zip"].read("transcript.pdf").startswith(b"%PDF")


def test_export_leaves_secrets_out(client, full_person) -> None:
    text = json.dumps(_export(client, full_person)["json"])
    token = Token.objects.get(user=full_person).key
    assert token not in text
    assert "S3CR3T" not in text
    assert full_person.password not in text
    assert CitizenProfile.objects.get(user=full_person).national_id_hash not in text
    assert "other" not in {
        row.get("email") for row in json.loads(text)["tables"]["account.emailaddress"]
    }


def test_export_holds_no_other_persons_rows(client, personas, full_person) -> None:
    api.learning_record_add(
        citizen_id=personas.learner.pk,
        kind="course_completed",
        title="Bí mật của người khác",
        category="health",
        source_app="courses",
        source_id="enrollment:other",
    )
    text = json.dumps(_export(client, full_person)["json"], ensure_ascii=False)
    assert "Bí mật của người khác" not in text
    assert personas.learner.email not in text


def test_export_reports_progress_and_is_acknowledged_with_deadlines(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("export_request"))
    data_request = DataRequest.objects.get()

    assert data_request.status == "received"
    assert data_request.acknowledged_at is not None
    assert data_request.acknowledge_by > data_request.requested_at
    assert data_request.due_at == data_request.requested_at + timedelta(hours=72)
    page = client.get(reverse("privacy_home")).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "<progress" in page

    run_pending_jobs()
    data_request.refresh_from_db()
    assert (data_request.status, data_request.progress) == ("ready", 100)
    assert data_request.file_expires_at == data_request.completed_at + timedelta(days=7)
    ready_page = client.get(reverse("privacy_home")).content.decode()
    assert reverse("export_download", args=[data_request.public_id]) in ready_page


def test_the_export_ready_message_links_the_privacy_page_at_the_site_address(
    client, personas, settings
) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"
    client.force_login(personas.learner)
    client.post(reverse("export_request"))

    run_pending_jobs()  # builds the file, then queues the "ready" email
    run_pending_jobs()  # sends it

    bodies = [message.body for message in mail.outbox if message.to == [personas.learner.email]]
    assert any("https://hoctap.gov.vn/privacy/" in body for body in bodies), bodies
    assert not any("testserver" in body for body in bodies)


def test_asking_twice_while_preparing_gives_the_same_request(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("export_request"))
    client.post(reverse("export_request"))
    assert DataRequest.objects.count() == 1
    assert Job.objects.filter(kind="privacy.export").count() == 1


def test_another_person_cannot_download_an_export(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("export_request"))
    run_pending_jobs()
    data_request = DataRequest.objects.get()
    client.force_login(personas.other_learner)
    assert client.get(reverse("export_download", args=[data_request.public_id])).status_code == 404
    assert (
        client.get(reverse("data_request_status", args=[data_request.public_id])).status_code == 404
    )


def test_expired_export_is_deleted_and_says_so(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("export_request"))
    run_pending_jobs()
    data_request = DataRequest.objects.get()
    storage = data_request.file.storage
    name = data_request.file.name

    result = data_requests_process(now=timezone.now() + timedelta(days=8))

    data_request.refresh_from_db()
    assert result["exports_expired"] == 1
    assert data_request.status == "expired"
    assert not storage.exists(name)
    response = client.get(reverse("export_download", args=[data_request.public_id]))
    assert response.status_code == 410
    assert "đã hết hạn" in response.content.decode()


def test_consent_is_recorded_per_purpose_with_notice_version(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("consents_update"), {"learning_reminders": "on", "news": "on"})
    client.post(reverse("consents_update"), {"learning_reminders": "on", "news": "on"})
    client.post(reverse("consents_update"), {"learning_reminders": "on"})

    rows = list(
        ConsentRecord.objects.filter(user=personas.learner)
        .order_by("recorded_at", "id")
        .values_list("purpose", "is_granted", "notice_version")
    )
    version = settings.PRIVACY_NOTICE_VERSION
    assert ("learning_reminders", True, version) in rows
    assert rows.count(("news", True, version)) == 1
    assert rows[-1] == ("news", False, version)
    assert api.person_has_consent(user_id=personas.learner.pk, purpose="learning_reminders")
    assert not api.person_has_consent(user_id=personas.learner.pk, purpose="news")


def test_working_days_skip_weekends_and_tet() -> None:
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=VIETNAM)
    assert working_days_after(friday, 2).date().isoformat() == "2026-12-01"
    before_tet = datetime(2027, 2, 3, 9, 0, tzinfo=VIETNAM)  # Tết holidays 4-10 Feb 2027
    assert working_days_after(before_tet, 2).date().isoformat() == "2027-02-12"


def _reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": "Mat-khau-an-toan-2026"})
    assert response.status_code == 302


def test_deletion_needs_reauthentication(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(reverse("account_delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert not DataRequest.objects.exists()

    _reauthenticate(client)
    client.post(reverse("account_delete"), {"confirm": "on"})
    data_request = DataRequest.objects.get()
    assert data_request.status == "scheduled"
    assert data_request.scheduled_for == data_request.requested_at + timedelta(days=14)


def test_deletion_can_be_cancelled_in_the_grace_period(client, personas) -> None:
    client.force_login(personas.learner)
    _reauthenticate(client)
    client.post(reverse("account_delete"), {"confirm": "on"})
    data_request = DataRequest.objects.get()
    client.post(reverse("account_delete_cancel", args=[data_request.public_id]))

    data_requests_process(now=timezone.now() + timedelta(days=30))
    run_pending_jobs()
    data_request.refresh_from_db()
    assert data_request.status == "cancelled"
    assert User.objects.get(pk=personas.learner.pk).email == personas.learner.email


def test_nothing_is_erased_before_the_grace_period_ends(client, personas) -> None:
    client.force_login(personas.learner)
    _reauthenticate(client)
    client.post(reverse("account_delete"), {"confirm": "on"})
    data_requests_process(now=timezone.now() + timedelta(days=13))
    assert run_pending_jobs() == 1  # the acknowledgement email only
    assert User.objects.get(pk=personas.learner.pk).erased_at is None


def _tables_holding(values: list[str]) -> list[str]:
    """Every table and text-like column of the database holding one of `values`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')
            """
        )
        columns = cursor.fetchall()
        for table, column in columns:
            for value in values:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} has {value}")
    return found


def test_after_deletion_no_table_holds_the_persons_data(
    client, full_person, django_capture_on_commit_callbacks
) -> None:
    person = full_person
    national_id_hash = CitizenProfile.objects.get(user=person).national_id_hash
    evidence_paths = [item.file.path for item in EvidenceFile.objects.filter(owner=person)]
    _export(client, person)
    run_pending_jobs()
    values = [person.email, PHONE, NAME, national_id_hash, str(person.public_id)]
    assert _tables_holding(values)  # the scan sees the data before

    client.force_login(person)
    _reauthenticate(client)
    client.post(reverse("account_delete"), {"confirm": "on"})
    run_pending_jobs()
    data_requests_process(now=timezone.now() + timedelta(days=15))
    DataRequest.objects.filter(user=person, kind="deletion").update(
        scheduled_for=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_jobs()

    assert _tables_holding(values) == []
    erased = User.objects.get(pk=person.pk)
    assert erased.erased_at is not None
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert DataRequest.objects.get(user=person, kind="deletion").status == "completed"
    assert not any(Path(path).exists() for path in evidence_paths)
    # The course completion stays for statistics, with no personal data; self-reports go.
    assert list(LearningRecord.objects.filter(citizen=person).values_list("title", flat=True)) == [
        "Tin học cơ bản"
    ]
    assert not HouseholdInvitation.objects.exists()
    assert AuditEvent.objects.filter(action="data_request.account_erased").count() == 1
    assert client.login(email=person.email, password="Mat-khau-an-toan-2026") is False
