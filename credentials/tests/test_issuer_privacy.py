"""Issuer privacy (issue 18, point 3): "issue to one learner" finds a person only by an exact
e-mail address or phone number and shows a masked name with their tie to the organization;
issuing without a class needs a written reason, is audited, and for someone never in one of
the organization's classes needs the administrator's confirmation of that reason."""

import json
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from credentials.models import Credential, Issuance, IssuanceBatch
from credentials.views.issuing import PLAN_SALT
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import UserFactory
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db

LAN_EMAIL = "lan.nguyen@example.vn"
LAN_PHONE = "+84912345678"
LAN_NAME = "Nguyễn Thị Lan"
LAN_MASKED = "Nguyễn T. L."
REASON = "Đã dự đủ các buổi tập huấn tại xã ngày 12/10 nhưng chưa có trên hệ thống"
NO_TIE = "Chưa từng học lớp nào của đơn vị"
TIED = "Đã học lớp của đơn vị"
REASON_REFUSED = (
    "Cấp chứng chỉ không theo lớp học cần ghi lý do (ít nhất 10 ký tự), ví dụ: “Đã dự đủ các "
    "buổi tập huấn tại xã ngày 12/10 nhưng chưa có trên hệ thống”."
)
NOT_CONFIRMED = (
    "1 người học chưa từng học lớp nào của đơn vị. Chỉ cấp chứng chỉ không theo lớp học cho "
    "người này khi lý do đã ghi là xác đáng: hãy đánh dấu ô xác nhận lý do."
)
WITHOUT_CLASS = "credential.issue_without_class_requested"


@pytest.fixture
def lan(db):
    """A citizen with an account who was never in a class of the issuer's organization."""
    user = UserFactory(email=LAN_EMAIL, profile__full_name=LAN_NAME)
    user.citizen_profile.phone = LAN_PHONE
    user.citizen_profile.save(update_fields=["phone"])
    return user


def _preview_one(client: Client, achievement, contact: str, offering=None):
    return client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "one", "contact": contact, "offering": str(offering) if offering else ""},
    )


def _plan(response) -> str:
    match = re.search(r'name="plan" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def _confirm(client: Client, achievement, plan: str, **fields: str):
    return client.post(
        reverse("issue_confirm", args=[achievement.public_id]), {"plan": plan, **fields}
    )


def _nothing_written() -> bool:
    return (
        not IssuanceBatch.objects.exists()
        and not Issuance.objects.exists()
        and not AuditEvent.objects.filter(
            action__in=[WITHOUT_CLASS, "credential.batch_requested"]
        ).exists()
    )


def _api_issue(client: Client, achievement, **body: object):
    return client.post(
        reverse("api_issue", args=[achievement.public_id]), body, content_type="application/json"
    )


# --- The preview: an exact contact, a masked name, the tie -----------------------------------


@pytest.mark.parametrize("contact", [LAN_EMAIL, " LAN.NGUYEN@Example.VN ", "0912 345 678"])
def test_the_preview_of_an_unrelated_citizen_shows_a_masked_name_and_no_tie(
    issuer_world, issuer_client, lan, contact
) -> None:
    _klass, achievement = issuer_world

    response = _preview_one(issuer_client, achievement, contact)

    page = response.content.decode()
    assert response.status_code == 200
    assert LAN_MASKED in page
    assert NO_TIE in page
    for part in (LAN_NAME, "Thị", "Lan"):
        assert part not in page
    assert [
        (row.learner_id, row.name, row.is_tied) for row in response.context["preview"].rows
    ] == [(lan.pk, LAN_MASKED, False)]


def test_the_signed_plan_of_the_preview_holds_no_full_name(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world

    response = _preview_one(issuer_client, achievement, LAN_EMAIL)

    plan = signing.loads(_plan(response), salt=PLAN_SALT)
    as_text = json.dumps(plan, ensure_ascii=False)
    assert LAN_MASKED in as_text
    assert LAN_NAME not in as_text
    assert "Lan" not in as_text


@pytest.mark.parametrize(
    "contact",
    [
        "nguyen@example.vn",  # the end of her address
        "lan.nguyen@example.com",  # another domain
        "lan.nguyen@",  # the start of it
        "lan.nguyen",  # no domain: not an address, not a phone number
        "345 678",  # the end of her phone number
        "Nguyễn Thị Lan",  # her name
    ],
)
def test_a_part_of_a_contact_or_a_name_finds_nobody(
    issuer_world, issuer_client, lan, contact
) -> None:
    _klass, achievement = issuer_world

    response = _preview_one(issuer_client, achievement, contact)

    page = response.content.decode()
    assert response.status_code == 200
    assert LAN_MASKED not in page
    assert 'name="plan"' not in page
    preview = response.context.get("preview")
    assert preview is None or [row.learner_id for row in preview.rows] == [None]


def test_a_learner_of_the_organizations_class_is_shown_with_the_tie(
    issuer_world, issuer_client
) -> None:
    klass, achievement = issuer_world
    learner = klass.enrollments[0].learner
    learner.citizen_profile.full_name = "Trần Văn Bình"
    learner.citizen_profile.save(update_fields=["full_name"])

    response = _preview_one(issuer_client, achievement, learner.email)

    page = response.content.decode()
    assert "Trần V. B." in page
    assert TIED in page
    assert NO_TIE not in page
    assert "Trần Văn Bình" not in page


def test_a_cancelled_enrollment_is_no_tie(issuer_world, issuer_client, lan) -> None:
    klass, _achievement = issuer_world
    klass.offering.enrollments.create(learner=lan, status="cancelled")

    response = _preview_one(issuer_client, issuer_world[1], LAN_EMAIL)

    assert NO_TIE in response.content.decode()


def test_a_spreadsheet_row_without_a_class_shows_a_masked_name_and_asks_for_a_reason(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world
    content = f"contact,offering\n{LAN_EMAIL},\n".encode()

    response = issuer_client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "csv", "file": SimpleUploadedFile("ds.csv", content, "text/csv")},
    )

    page = response.content.decode()
    assert LAN_MASKED in page
    assert LAN_NAME not in page
    assert 'name="reason"' in page
    assert 'name="confirm_reason"' in page


def test_a_class_s_completers_need_no_reason(issuer_world, issuer_client) -> None:
    klass, achievement = issuer_world

    response = issuer_client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "offering", "offering": str(klass.offering.public_id)},
    )

    page = response.content.decode()
    assert 'name="reason"' not in page
    assert 'name="confirm_reason"' not in page
    assert "Học viên 01" in page  # the class's own roster, by full name


# --- Issuing without a class: a reason, a confirmation, an audit row -------------------------


@pytest.mark.parametrize(
    "reason", [None, "", "          ", "Vì cần.", "\x00" * 20], ids=lambda r: repr(r)[:12]
)
def test_issuing_without_a_class_without_a_reason_is_refused_and_writes_nothing(
    issuer_world, issuer_client, lan, reason
) -> None:
    _klass, achievement = issuer_world
    plan = _plan(_preview_one(issuer_client, achievement, LAN_EMAIL))
    fields = (
        {"confirm_reason": "on"} if reason is None else {"reason": reason, "confirm_reason": "on"}
    )

    response = _confirm(issuer_client, achievement, plan, **fields)

    assert response.status_code == 200
    assert response.context["confirm_form"].errors["reason"]
    assert LAN_MASKED in response.content.decode()
    assert LAN_NAME not in response.content.decode()
    assert _nothing_written()


def test_a_missing_reason_is_said_on_its_field(issuer_world, issuer_client, lan) -> None:
    _klass, achievement = issuer_world
    plan = _plan(_preview_one(issuer_client, achievement, LAN_EMAIL))

    response = _confirm(issuer_client, achievement, plan, reason="Vì cần.", confirm_reason="on")

    assert response.context["confirm_form"].errors == {"reason": [REASON_REFUSED]}


def test_a_reason_without_the_confirmation_is_refused_for_someone_with_no_tie(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world
    plan = _plan(_preview_one(issuer_client, achievement, LAN_EMAIL))

    response = _confirm(issuer_client, achievement, plan, reason=REASON)

    assert response.status_code == 200
    assert response.context["confirm_form"].errors == {"confirm_reason": [NOT_CONFIRMED]}
    assert REASON in response.content.decode()  # kept in its field
    assert _nothing_written()


def test_a_confirmed_reason_issues_to_someone_with_no_tie_and_is_audited(
    issuer_world, issuer_client, lan, personas, django_capture_on_commit_callbacks
) -> None:
    _klass, achievement = issuer_world
    plan = _plan(_preview_one(issuer_client, achievement, LAN_EMAIL))

    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(
            issuer_client, achievement, plan, reason=f"  {REASON}\n", confirm_reason="on"
        )
    run_pending_jobs()

    batch = IssuanceBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("issuer_batch", args=[batch.public_id])
    assert (batch.reason, batch.is_reason_confirmed) == (REASON, True)
    request = Issuance.objects.get()
    assert (request.learner_id, request.offering_id, request.status) == (lan.pk, None, "issued")
    assert Credential.objects.filter(learner=lan, offering_id=None).count() == 1
    event = AuditEvent.objects.get(action=WITHOUT_CLASS)
    assert (event.actor_id, event.object_type, event.object_id) == (
        personas.issuer_admin.pk,
        "issuance",
        str(request.public_id),
    )
    assert event.details == {
        "achievement": str(achievement.public_id),
        "learner": str(lan.public_id),
        "batch": str(batch.public_id),
        "reason": REASON,
        "has_tie": False,
        "reason_confirmed": True,
    }


def test_a_learner_of_the_organization_is_issued_without_a_class_with_a_reason_alone(
    issuer_world, issuer_client, personas
) -> None:
    klass, achievement = issuer_world
    learner = klass.enrollments[2].learner  # in the class, did not complete it
    preview = _preview_one(issuer_client, achievement, learner.email)
    assert 'name="confirm_reason"' not in preview.content.decode()

    response = _confirm(issuer_client, achievement, _plan(preview), reason=REASON)

    assert response.status_code == 302
    batch = IssuanceBatch.objects.get()
    assert (batch.reason, batch.is_reason_confirmed) == (REASON, False)
    event = AuditEvent.objects.get(action=WITHOUT_CLASS)
    assert (event.details["learner"], event.details["has_tie"]) == (
        str(learner.public_id),
        True,
    )


def test_the_tie_is_asked_again_when_the_batch_is_written(issuer_world, issuer_client) -> None:
    klass, achievement = issuer_world
    enrollment = klass.enrollments[2]
    preview = _preview_one(issuer_client, achievement, enrollment.learner.email)
    # Between the preview and the confirmation, the only tie goes.
    klass.offering.enrollments.filter(pk=enrollment.pk).update(status="cancelled", completion="")

    response = _confirm(issuer_client, achievement, _plan(preview), reason=REASON)

    assert response.status_code == 200
    assert response.context["confirm_form"].errors == {"confirm_reason": [NOT_CONFIRMED]}
    assert _nothing_written()


# --- The API: the same rules ---------------------------------------------------------------


@pytest.mark.parametrize("contact", [LAN_EMAIL, "nobody@example.vn"])
def test_the_api_refuses_a_contact_without_a_class_and_without_a_reason(
    issuer_world, issuer_client, lan, contact
) -> None:
    _klass, achievement = issuer_world

    response = _api_issue(issuer_client, achievement, contact=contact)

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "reason_required", "message": REASON_REFUSED}}
    assert _nothing_written()


def test_the_api_refuses_someone_with_no_tie_without_the_confirmation(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world

    response = _api_issue(issuer_client, achievement, contact=LAN_EMAIL, reason=REASON)

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "no_tie_to_organization", "message": NOT_CONFIRMED}
    }
    assert LAN_NAME not in response.content.decode()
    assert _nothing_written()


def test_the_api_issues_with_a_confirmed_reason_and_audits_it(
    issuer_world, issuer_client, lan, personas
) -> None:
    _klass, achievement = issuer_world

    response = _api_issue(
        issuer_client, achievement, contact=LAN_EMAIL, reason=REASON, confirm_reason=True
    )

    assert response.status_code == 202
    assert LAN_NAME not in response.content.decode()
    batch = IssuanceBatch.objects.get(public_id=response.json()["id"])
    assert (batch.source, batch.reason, batch.is_reason_confirmed) == ("single", REASON, True)
    event = AuditEvent.objects.get(action=WITHOUT_CLASS)
    assert event.actor_id == personas.issuer_admin.pk
    assert event.details == {
        "achievement": str(achievement.public_id),
        "learner": str(lan.public_id),
        "batch": str(batch.public_id),
        "reason": REASON,
        "has_tie": False,
        "reason_confirmed": True,
    }


def test_the_api_refuses_a_reason_over_its_length_on_its_field(
    issuer_world, issuer_client, lan
) -> None:
    _klass, achievement = issuer_world

    response = _api_issue(
        issuer_client, achievement, contact=LAN_EMAIL, reason="x" * 501, confirm_reason=True
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    assert _nothing_written()


def test_the_api_needs_no_reason_for_a_completed_class(issuer_world, issuer_client) -> None:
    klass, achievement = issuer_world

    response = _api_issue(
        issuer_client,
        achievement,
        contact=klass.enrollments[0].learner.email,
        offering=str(klass.offering.public_id),
    )

    assert response.status_code == 202
    assert IssuanceBatch.objects.get().reason == ""
    assert not AuditEvent.objects.filter(action=WITHOUT_CLASS).exists()


def test_the_batch_page_names_a_refused_stranger_by_a_masked_name(
    issuer_world, issuer_client, lan, django_capture_on_commit_callbacks
) -> None:
    klass, achievement = issuer_world
    dropout = klass.enrollments[2].learner
    with django_capture_on_commit_callbacks(execute=True):
        # Any class of the organization, with a stranger's address: the worker refuses.
        stranger = _api_issue(
            issuer_client, achievement, contact=LAN_EMAIL, offering=str(klass.offering.public_id)
        )
        learner = _api_issue(
            issuer_client,
            achievement,
            contact=dropout.email,
            offering=str(klass.offering.public_id),
        )
    run_pending_jobs()

    stranger_page = issuer_client.get(reverse("issuer_batch", args=[stranger.json()["id"]]))
    learner_page = issuer_client.get(reverse("issuer_batch", args=[learner.json()["id"]]))

    assert Issuance.objects.filter(learner=lan).get().status == "refused"
    assert LAN_MASKED in stranger_page.content.decode()
    assert LAN_NAME not in stranger_page.content.decode()
    assert "Học viên 03" in learner_page.content.decode()  # the class's own roster
