"""Every id in an issuer's request is checked against their scope (issue 18, finding 1): an
offering named when issuing must be a class of the achievement's organization, of a course
the achievement is linked to. Another center's class is answered as a class that does not
exist, before anyone is looked up, on the API, the pages, a spreadsheet's rows and in the
service; nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.tests.factories import class_close, class_make
from credentials.models import Issuance, IssuanceBatch
from credentials.services import batches
from learnprofile.audit.models import AuditEvent
from learnprofile.errors import NotFound

pytestmark = pytest.mark.django_db

NOT_FOUND = (
    "Không tìm thấy lớp học này: hãy chọn một lớp của đơn vị thuộc khóa học gắn với mẫu chứng chỉ."
)
REASON = "Đã dự đủ các buổi tập huấn tại xã ngày 12/10 nhưng chưa có trên hệ thống"


@pytest.fixture
def other_class(personas):
    """A finished class of another center (in the public catalog): the first learner
    completed it, the second was absent and did not."""
    other_center = personas.other_center_staff.memberships.get().organization
    klass = class_make(other_center, learners=2, sessions=2)
    class_close(klass, actor=personas.other_center_staff, absent=frozenset({1}))
    Issuance.objects.all().delete()
    return klass


def _nothing_written() -> bool:
    return (
        not IssuanceBatch.objects.exists()
        and not Issuance.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="credential.").exists()
    )


def _api_issue(client: Client, achievement, **body: object):
    return client.post(
        reverse("api_issue", args=[achievement.public_id]), body, content_type="application/json"
    )


@pytest.mark.parametrize("position", [0, 1], ids=["completer", "absent"])
def test_the_api_answers_another_centers_class_as_not_found_for_anyone(
    issuer_world, other_class, issuer_client, position
) -> None:
    _klass, achievement = issuer_world
    learner = other_class.enrollments[position].learner

    response = _api_issue(
        issuer_client,
        achievement,
        contact=learner.email,
        offering=str(other_class.offering.public_id),
    )

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": NOT_FOUND}}
    assert _nothing_written()


def test_the_api_answers_another_centers_class_alone_as_not_found(
    issuer_world, other_class, issuer_client
) -> None:
    _klass, achievement = issuer_world

    response = _api_issue(issuer_client, achievement, offering=str(other_class.offering.public_id))

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": NOT_FOUND}}
    assert _nothing_written()


def test_an_achievement_linked_to_another_centers_course_does_not_open_its_classes(
    issuer_world, other_class, issuer_client
) -> None:
    _klass, achievement = issuer_world
    achievement.course_ids = [*achievement.course_ids, other_class.offering.course.public_id]
    achievement.save(update_fields=["course_ids"])

    response = _api_issue(
        issuer_client,
        achievement,
        contact=other_class.enrollments[0].learner.email,
        offering=str(other_class.offering.public_id),
    )

    assert response.status_code == 404
    assert _nothing_written()


def test_a_class_of_the_organization_of_a_course_the_achievement_does_not_reward_is_not_found(
    issuer_world, issuer_client, personas
) -> None:
    _klass, achievement = issuer_world
    center = personas.issuer_admin.memberships.get().organization
    unrelated = class_make(center, learners=1, sessions=1, title="Trồng lúa")
    class_close(unrelated, actor=personas.center_staff)
    Issuance.objects.all().delete()

    response = _api_issue(
        issuer_client,
        achievement,
        contact=unrelated.enrollments[0].learner.email,
        offering=str(unrelated.offering.public_id),
    )

    assert response.status_code == 404
    assert _nothing_written()


def test_the_service_refuses_a_row_with_another_centers_class_and_writes_nothing(
    issuer_world, other_class, personas
) -> None:
    _klass, achievement = issuer_world
    learner = other_class.enrollments[0].learner

    with pytest.raises(NotFound):
        batches.batch_create(
            actor=personas.issuer_admin,
            achievement=achievement,
            source=IssuanceBatch.Source.SINGLE,
            rows=[(learner.pk, other_class.offering.public_id)],
            reason=REASON,
            reason_confirmed=True,
        )

    assert _nothing_written()


def test_a_spreadsheet_row_with_another_centers_class_is_named_by_its_line(
    issuer_world, other_class, issuer_client
) -> None:
    klass, achievement = issuer_world
    content = (
        "contact,offering\n"
        f"{klass.enrollments[0].learner.email},{klass.offering.public_id}\n"
        f"{other_class.enrollments[0].learner.email},{other_class.offering.public_id}\n"
    ).encode()

    response = issuer_client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "csv", "file": SimpleUploadedFile("ds.csv", content, "text/csv")},
    )

    assert response.status_code == 200
    assert response.context.get("preview") is None
    assert response.context["csv_form"].errors == {
        "file": [
            "Dòng 3: không tìm thấy lớp học có mã này trong các lớp của đơn vị thuộc khóa học "
            "gắn với mẫu chứng chỉ."
        ]
    }
    assert 'name="plan"' not in response.content.decode()
