"""Looking learners up by a contact (issue 18, finding 5): the one-learner preview and a file's
rows tell whether a contact names someone, so each look-up is audited and counted per
administrator: 60 an hour cost nothing (a file counts each row), then growing waits, said
in Vietnamese with how long to wait."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from credentials.models import Issuance
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOOKED_UP = "credential.contacts_looked_up"
WAIT_15_MINUTES = (
    "Bạn đã tra cứu nhiều người học trong một giờ qua. Hãy đợi 15 phút rồi thử lại; cần cấp "
    "cho nhiều người thì hãy dùng danh sách người hoàn thành lớp."
)


@pytest.fixture
def lan(db):
    user = UserFactory(email="lan.nguyen@example.vn")
    user.citizen_profile.phone = "+84912345678"
    user.citizen_profile.save(update_fields=["phone"])
    return user


def _preview_one(client: Client, achievement, contact: str):
    return client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "one", "contact": contact, "offering": ""},
    )


def _preview_file(client: Client, achievement, contacts: list[str]):
    content = ("contact\n" + "".join(f"{contact}\n" for contact in contacts)).encode()
    return client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "csv", "file": SimpleUploadedFile("ds.csv", content, "text/csv")},
    )


def _seventy_strangers() -> list[str]:
    return [f"nguoi{number}@example.vn" for number in range(70)]


def test_a_one_learner_preview_is_audited_with_the_contact_kind_not_the_contact(
    issuer_world, issuer_client, lan, personas
) -> None:
    _klass, achievement = issuer_world

    response = _preview_one(issuer_client, achievement, "0912 345 678")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=LOOKED_UP)
    assert (event.actor_id, event.object_id) == (
        personas.issuer_admin.pk,
        str(achievement.public_id),
    )
    assert event.details == {
        "achievement": str(achievement.public_id),
        "source": "single",
        "contacts": 1,
        "found": 1,
        "contact_kind": "phone",
        "learner": str(lan.public_id),
    }


def test_a_file_preview_is_audited_once_with_its_counts(issuer_world, issuer_client, lan) -> None:
    _klass, achievement = issuer_world

    _preview_file(issuer_client, achievement, [lan.email, "nobody@example.vn"])

    event = AuditEvent.objects.get(action=LOOKED_UP)
    assert event.details == {
        "achievement": str(achievement.public_id),
        "source": "csv",
        "contacts": 2,
        "found": 1,
    }


def test_after_a_file_of_seventy_contacts_a_look_up_waits_and_says_how_long(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world
    assert _preview_file(issuer_client, achievement, _seventy_strangers()).status_code == 200

    response = _preview_one(issuer_client, achievement, lan.email)

    assert response.status_code == 429
    assert response.context.get("preview") is None
    assert response.context["one_form"].non_field_errors() == [WAIT_15_MINUTES]
    assert "Nguyễn" not in response.content.decode()
    assert AuditEvent.objects.filter(action=LOOKED_UP).count() == 1  # the file's only


def test_the_api_refuses_a_look_up_past_the_limit_with_retry_after(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world
    _preview_file(issuer_client, achievement, _seventy_strangers())

    response = issuer_client.post(
        reverse("api_issue", args=[achievement.public_id]),
        {
            "contact": lan.email,
            "reason": "Đã dự đủ các buổi tập huấn tại xã",
            "confirm_reason": True,
        },
        content_type="application/json",
    )

    assert response.status_code == 429
    assert response.json() == {"error": {"code": "too_many_lookups", "message": WAIT_15_MINUTES}}
    assert 890 <= int(response["Retry-After"]) <= 900
    assert not Issuance.objects.exists()


def test_sixty_contacts_an_hour_cost_nothing(issuer_world, issuer_client, lan) -> None:
    _klass, achievement = issuer_world
    assert _preview_file(issuer_client, achievement, _seventy_strangers()[:59]).status_code == 200

    response = _preview_one(issuer_client, achievement, lan.email)

    assert response.status_code == 200
    assert response.context["preview"].rows[0].learner_id == lan.pk
