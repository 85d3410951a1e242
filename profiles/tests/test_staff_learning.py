"""Center staff: verifying self-reported learning and the audited learner summary; the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnprofile.audit.models import AuditEvent
from profiles import api, permissions
from profiles.models import DataRequest, LearningRecord
from profiles.services.learning import learning_record_self_report
from profiles.tests.factories import HTML_BYTES, PDF_BYTES, learning_records_bulk, with_mfa


@pytest.fixture
def pending_record(personas) -> LearningRecord:
    center = personas.center_staff.memberships.get().organization
    return learning_record_self_report(
        actor=personas.learner,
        title="Khóa học trực tuyến về an toàn thực phẩm",
        category="health",
        hours=8,
        started_on=None,
        ended_on=None,
        verifier_organization=center,
    )


def test_staff_see_pending_records_of_their_center_only(client, personas, pending_record) -> None:
    with_mfa(personas.center_staff, personas.other_center_staff)
    client.force_login(personas.center_staff)
    assert pending_record.title in client.get(reverse("verification_queue")).content.decode()

    client.force_login(personas.other_center_staff)
    assert pending_record.title not in client.get(reverse("verification_queue")).content.decode()
    response = client.get(reverse("verification_decide", args=[pending_record.public_id]))
    assert response.status_code == 404


def test_staff_verify_a_record(client, personas, pending_record) -> None:
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    response = client.post(
        reverse("verification_decide", args=[pending_record.public_id]), {"decision": "verify"}
    )
    pending_record.refresh_from_db()
    assert response.status_code == 302
    assert pending_record.verification_status == "verified"
    assert pending_record.verified_by == personas.center_staff
    assert AuditEvent.objects.filter(action="learning_record.verified").count() == 1


def test_rejection_needs_a_reason_which_the_learner_sees(client, personas, pending_record) -> None:
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    url = reverse("verification_decide", args=[pending_record.public_id])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Hãy cho người học biết lý do từ chối." in response.content.decode()
    pending_record.refresh_from_db()
    assert pending_record.verification_status == "pending"

    client.post(url, {"decision": "reject", "reason": "Minh chứng không đọc được"})
    client.force_login(personas.learner)
    page = client.get(reverse("learning_record", args=[pending_record.public_id])).content.decode()
    assert "Minh chứng không đọc được" in page
    assert "Bị từ chối" in page


def test_a_decided_record_cannot_be_decided_again(client, personas, pending_record) -> None:
    with_mfa(personas.center_staff, personas.center_manager)
    client.force_login(personas.center_staff)
    url = reverse("verification_decide", args=[pending_record.public_id])
    client.post(url, {"decision": "verify"})
    client.force_login(personas.center_manager)
    response = client.post(url, {"decision": "reject", "reason": "no"})
    assert response.status_code == 400
    pending_record.refresh_from_db()
    assert pending_record.verification_status == "verified"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("center_staff", 200),
        ("center_manager", 200),
        ("other_center_staff", 404),
        ("issuer_admin", 404),
        ("regional_admin", 404),
    ],
)
def test_learner_summary_is_scoped_to_the_center_and_audited(
    client, personas, pending_record, persona, status
) -> None:
    user = getattr(personas, persona)
    with_mfa(user)
    client.force_login(user)
    response = client.get(reverse("learner_summary", args=[personas.learner.public_id]))
    assert response.status_code == status
    action = "learner.viewed" if status == 200 else "learner.view_refused"
    event = AuditEvent.objects.get(action=action)
    assert (event.actor, event.object_id) == (user, str(personas.learner.public_id))
    if status == 200:
        assert pending_record.title in response.content.decode()


def test_learner_known_through_another_app_is_visible(client, personas, monkeypatch) -> None:
    monkeypatch.setattr(permissions, "_learner_relations", [])
    learner_id = personas.other_learner.pk
    center_id = personas.center_staff.memberships.get().organization_id
    api.learner_relation_register(
        lambda organization_ids, user_id: user_id == learner_id and center_id in organization_ids
    )
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    response = client.get(reverse("learner_summary", args=[personas.other_learner.public_id]))
    assert response.status_code == 200


# --- API ------------------------------------------------------------------------------------


def test_api_lists_my_ledger_only(client, personas) -> None:
    learning_records_bulk(personas.learner, 3)
    learning_records_bulk(personas.other_learner, 2)
    client.force_login(personas.learner)
    response = client.get(reverse("api_my_learning_records"))
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert client.get(reverse("api_my_learning_records"), {"year": "x"}).status_code == 400


def test_api_self_report_with_evidence(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(
        reverse("api_my_learning_records"),
        {
            "title": "Học nấu ăn",
            "category": "life_skills",
            "hours": "3",
            "evidence": [SimpleUploadedFile("a.pdf", PDF_BYTES)],
        },
    )
    assert response.status_code == 201
    assert response.json()["evidence"][0]["content_type"] == "application/pdf"


def test_api_refuses_disguised_file_with_error_format(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(
        reverse("api_my_learning_records"),
        {
            "title": "x",
            "category": "life_skills",
            "hours": "3",
            "evidence": [SimpleUploadedFile("a.pdf", HTML_BYTES)],
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "evidence" in response.json()["error"]["fields"]
    assert not LearningRecord.objects.exists()


def test_api_export_request_is_accepted(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(reverse("api_data_export"))
    assert response.status_code == 202
    assert response.json()["status"] == "received"
    assert client.get(reverse("api_data_requests")).json()[0]["kind"] == "export"
    assert DataRequest.objects.get().user == personas.learner


@pytest.mark.parametrize(
    ("persona", "status"), [("center_staff", 200), ("other_center_staff", 404), ("learner", 403)]
)
def test_api_verification_is_scoped(client, personas, pending_record, persona, status) -> None:
    with_mfa(personas.center_staff, personas.other_center_staff)
    client.force_login(getattr(personas, persona))
    response = client.post(
        reverse("api_staff_verification", args=[pending_record.public_id]),
        {"decision": "verify"},
        content_type="application/json",
    )
    assert response.status_code == status
    pending_record.refresh_from_db()
    assert (pending_record.verification_status == "verified") == (status == 200)


def test_api_needs_authentication(client) -> None:
    assert client.get(reverse("api_my_learning_records")).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/p/abc%00def/",
        "/household/join/ABC%00DEF12/",
        "/household/join/?code=%00%00",
        "/household/join/?code=../../x",
        "/api/v1/me/learning-records/?year=99999999999",
        "/learning/?year=99999999999&category=%00",
    ],
)
def test_hostile_ids_and_filters_answer_without_a_server_error(client, personas, path) -> None:
    client.force_login(personas.learner)
    response = client.get(path)
    assert response.status_code in (200, 400, 404)
