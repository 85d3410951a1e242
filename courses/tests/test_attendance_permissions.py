"""Who may do what to a center's attendance: every staff page and endpoint against every role.

A refusal writes nothing: no mark, no walk-in learner, no enrollment, the offering unchanged.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import AttendanceMark, Enrollment, WalkInLearner
from courses.services import walk_ins
from courses.tests.factories import class_make
from profiles.tests.factories import UserFactory, ward, with_mfa

pytestmark = pytest.mark.django_db

ALLOWED = "allowed"
# name, method, what the URL names; then the answer for: other center's staff, learner,
# anonymous (None: the endpoint is the person's own scope and answers 200 with nothing in it).
ROUTES = [
    ("attendance_home", "get", None, 200, 403, 302),
    ("session_roster", "get", "session", 404, 403, 302),
    ("session_roster", "post", "session", 404, 403, 302),
    ("session_checkin_screen", "get", "session", 404, 403, 302),
    ("session_print", "get", "session", 404, 403, 302),
    ("session_export", "get", "session", 404, 403, 302),
    ("session_export_xlsx", "get", "session", 404, 403, 302),
    ("session_import", "post", "session", 404, 403, 302),
    ("offering_export", "get", "offering", 404, 403, 302),
    ("offering_export_xlsx", "get", "offering", 404, 403, 302),
    ("offering_close", "post", "offering", 404, 403, 302),
    ("walk_in_new", "post", "offering", 404, 403, 302),
    ("walk_in_enroll", "post", "offering", 404, 403, 302),
    ("walk_in_detail", "get", "walk_in", 404, 403, 302),
    ("api_staff_sessions", "get", None, 200, 403, 401),
    ("api_session_roster", "get", "session", 404, 403, 401),
    ("api_session_marks", "post", "session", 404, 403, 401),
    ("api_attendance_sync", "post", None, 403, 403, 401),
    ("api_walk_ins", "post", None, 404, 403, 401),
]


@pytest.fixture
def world(personas):
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=2)
    registration = walk_ins.walk_in_register(
        actor=personas.center_staff,
        organization_id=center.id,
        full_name="Lò Văn Páo",
        birth_year=1958,
        ward_id=ward().pk,
    )
    with_mfa(personas.center_staff, personas.center_manager, personas.other_center_staff)
    return {"class": klass, "walk_in": registration.walk_in, "stranger": UserFactory()}


def _request(client: Client, world, name: str, method: str, target: str | None):
    klass = world["class"]
    args = {
        None: [],
        "session": [klass.current.public_id],
        "offering": [klass.offering.public_id],
        "walk_in": [world["walk_in"].public_id],
    }[target]
    url = reverse(name, args=args)
    enrollment = klass.enrollments[0]
    bodies = {
        "session_roster": {f"status-{enrollment.public_id}": "present"},
        "session_import": {
            "file": SimpleUploadedFile(
                "d.csv", f"ma_dang_ky,trang_thai\n{enrollment.public_id},present\n".encode()
            )
        },
        "walk_in_new": {
            "full_name": "Giàng Thị Dua",
            "birth_year": "1970",
            "ward": str(ward().pk),
        },
        "walk_in_enroll": {"person": str(world["stranger"].public_id)},
        "api_session_marks": {
            "marks": [{"enrollment": str(enrollment.public_id), "status": "late"}]
        },
        "api_attendance_sync": {
            "marks": [
                {
                    "id": str(uuid.uuid4()),
                    "session": str(klass.current.public_id),
                    "enrollment": str(enrollment.public_id),
                    "status": "present",
                    "marked_at": timezone.now().isoformat(),
                }
            ]
        },
        "api_walk_ins": {
            "offering": str(klass.offering.public_id),
            "full_name": "Giàng Thị Dua",
            "birth_year": 1970,
            "ward": ward().code,
        },
    }
    if method == "get":
        return client.get(url)
    body = bodies.get(name, {})
    if name.startswith("api_"):
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


def _state(world) -> tuple:
    offering = world["class"].offering
    offering.refresh_from_db()
    return (
        AttendanceMark.objects.count(),
        WalkInLearner.objects.count(),
        Enrollment.objects.count(),
        offering.status,
    )


@pytest.mark.parametrize(("name", "method", "target", "other", "learner", "anonymous"), ROUTES)
@pytest.mark.parametrize("persona", ["center_staff", "center_manager"])
def test_the_centers_staff_and_managers_may(
    personas, world, persona, name, method, target, other, learner, anonymous
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))

    response = _request(client, world, name, method, target)

    assert response.status_code in (200, 201, 302), response.content[:300]
    if response.status_code == 302:
        assert "/accounts/" not in response["Location"]


@pytest.mark.parametrize(("name", "method", "target", "other", "learner", "anonymous"), ROUTES)
@pytest.mark.parametrize("persona", ["other_center_staff", "learner", "anonymous"])
def test_everyone_else_is_refused_and_nothing_changes(
    personas, world, persona, name, method, target, other, learner, anonymous
) -> None:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    expected = {"other_center_staff": other, "learner": learner, "anonymous": anonymous}[persona]
    before = _state(world)

    response = _request(client, world, name, method, target)

    assert response.status_code == expected
    assert _state(world) == before
    if name in ("api_staff_sessions", "attendance_home") and expected == 200:
        assert world["class"].offering.course.title not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "expected"), [("session_roster", 302), ("api_session_marks", 403)]
)
def test_staff_without_two_step_verification_are_turned_away(
    personas, world, name, expected
) -> None:
    staff = UserFactory()
    staff.memberships.create(
        organization=personas.center_staff.memberships.get().organization, role="staff"
    )
    client = Client()
    client.force_login(staff)

    response = _request(client, world, name, "post", "session")

    assert response.status_code == expected
    assert AttendanceMark.objects.count() == 0
