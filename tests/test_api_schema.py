"""The OpenAPI schema tells the truth: each operation documents its error answers with the one
envelope, list shapes are the ones served, decimal fields refuse what the server refuses; and
the faults schemathesis found (tests/test_api_schemathesis.py) stay fixed."""

import json
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from courses.models import AttendanceMark, Offering
from courses.tests.factories import class_make
from profiles.models import LearningRecord
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _component(openapi: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema with its references resolvable, for jsonschema."""
    return {**openapi["components"]["schemas"][name], "components": openapi["components"]}


def _errors_of(operation: dict[str, Any]) -> dict[str, str]:
    return {
        status: response["content"]["application/json"]["schema"]["$ref"]
        for status, response in operation["responses"].items()
        if status.startswith("4")
    }


def test_every_operation_documents_its_errors_with_the_envelope(openapi) -> None:
    envelope = "#/components/schemas/ErrorEnvelope"

    errors = {(method, path): _errors_of(op) for method, path, op in _operations(openapi)}

    assert all(documented for documented in errors.values())
    assert {ref for documented in errors.values() for ref in documented.values()} == {envelope}
    assert errors[("GET", "/api/v1/offerings/{offering_id}/")].keys() == {"401", "404", "429"}
    assert errors[("POST", "/api/v1/me/learning-records/")].keys() == {
        "400",
        "401",
        "403",
        "409",
        "413",
        "415",
        "429",
    }
    assert "404" in errors[("POST", "/api/v1/staff/walk-ins/")]
    assert "410" in errors[("POST", "/api/v1/sessions/{session_id}/check-in/")]
    assert "422" in errors[("POST", "/api/v1/staff/attendance/sync/")]


def test_every_write_documents_413_as_the_upload_limit_applies_to_all(openapi) -> None:
    """The middleware refuses a body over the limit whether or not the operation reads one."""
    writes = [
        (method, path)
        for method, path, operation in _operations(openapi)
        if method in {"POST", "PUT", "PATCH", "DELETE"} and "413" not in _errors_of(operation)
    ]

    assert writes == []


def test_the_envelope_component_describes_what_the_api_answers(openapi, personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    not_found = client.get("/api/v1/offerings/not-a-uuid/")
    invalid = client.get("/api/v1/me/learning-records/?year=1")

    assert (not_found.status_code, invalid.status_code) == (404, 400)
    jsonschema.validate(not_found.json(), _component(openapi, "ErrorEnvelope"))
    jsonschema.validate(invalid.json(), _component(openapi, "ErrorEnvelope"))
    assert invalid.json()["error"]["fields"] == {"year": ["Năm không hợp lệ."]}


def test_the_learning_record_list_is_documented_as_the_page_it_is(openapi, personas) -> None:
    client = Client()
    client.force_login(personas.learner)
    documented = openapi["paths"]["/api/v1/me/learning-records/"]["get"]["responses"]["200"]
    reference = documented["content"]["application/json"]["schema"]["$ref"]

    page = client.get("/api/v1/me/learning-records/").json()

    assert reference == "#/components/schemas/PaginatedLearningRecordOutputList"
    paginated = openapi["components"]["schemas"]["PaginatedLearningRecordOutputList"]
    assert paginated["properties"].keys() == page.keys() == {"count", "next", "previous", "results"}
    assert paginated["properties"]["results"]["type"] == "array"


@pytest.mark.parametrize("hours", ["", "-1", ".", "1.234"])
def test_hours_the_server_refuses_the_schema_refuses_too(openapi, personas, hours) -> None:
    client = Client()
    client.force_login(personas.learner)
    body = {"title": "Tự học nuôi ong", "category": "agriculture", "hours": hours}

    response = client.post("/api/v1/me/learning-records/", body, content_type="application/json")

    assert response.status_code == 400
    assert "hours" in response.json()["error"]["fields"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, _component(openapi, "SelfReportInputRequest"))
    assert not LearningRecord.objects.filter(citizen=personas.learner).exists()


def test_hours_the_schema_allows_the_server_takes(openapi, personas) -> None:
    client = Client()
    client.force_login(personas.learner)
    body = {"title": "Tự học nuôi ong", "category": "agriculture", "hours": "2.5"}

    jsonschema.validate(body, _component(openapi, "SelfReportInputRequest"))
    response = client.post("/api/v1/me/learning-records/", body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["hours"] == "2.50"


def test_the_verifier_documents_that_it_reads_a_json_body(openapi) -> None:
    operation = openapi["paths"]["/api/v1/credentials/verify"]["post"]

    assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "object"


# --- Faults schemathesis found ---------------------------------------------------------------


def test_a_synced_mark_whose_status_is_not_text_is_a_400_not_a_server_error(personas) -> None:
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=1, sessions=1)
    with_mfa(personas.center_staff)
    client = Client(raise_request_exception=False)
    client.force_login(personas.center_staff)
    mark = {
        "id": "0b7f3c52-58a4-4a0e-9a51-3d1a3c2f5e10",
        "session": str(klass.current.public_id),
        "enrollment": str(klass.enrollments[0].public_id),
        "status": {},
        "marked_at": timezone.now().isoformat(),
    }

    response = client.post(
        "/api/v1/staff/attendance/sync/", {"marks": [mark]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "marks": {"0": {"status": ["Trạng thái điểm danh không hợp lệ."]}}
    }
    assert not AttendanceMark.objects.exists()


def test_an_enrollment_window_in_another_era_is_refused_not_written(personas) -> None:
    center = personas.center_manager.memberships.get().organization
    offering = class_make(center, learners=1, sessions=1).offering
    with_mfa(personas.center_manager)
    client = Client()
    client.force_login(personas.center_manager)

    response = client.patch(
        f"/api/v1/manage/offerings/{offering.public_id}/",
        {"enrollment_closes_at": "0401-08-01T22:24:40+07:00"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "enrollment_closes_at": ["Hãy chọn một thời điểm từ năm 2000 đến năm 2100."]
    }
    assert Offering.objects.get(pk=offering.pk).enrollment_closes_at is None


def test_an_enrollment_window_in_this_era_is_written(personas) -> None:
    center = personas.center_manager.memberships.get().organization
    offering = class_make(center, learners=1, sessions=1).offering
    with_mfa(personas.center_manager)
    client = Client()
    client.force_login(personas.center_manager)
    closes_at = timezone.now() + timedelta(days=3)

    response = client.patch(
        f"/api/v1/manage/offerings/{offering.public_id}/",
        {"enrollment_closes_at": closes_at.isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert Offering.objects.get(pk=offering.pk).enrollment_closes_at == closes_at
