"""The issuer administrator's side: templates, issuing (one learner, an offering's
completers, a CSV file) through a preview and a batch, and revoking; and who may not."""

import io
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from credentials.models import Achievement, Credential, Issuance, IssuanceBatch
from credentials.services import issuance, status
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import with_mfa
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db

EmailAddress = apps.get_model("account", "EmailAddress")


@pytest.fixture
def world(completed_class, personas):
    with_mfa(personas.issuer_admin, personas.center_staff, personas.center_manager)
    return completed_class


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _plan(response) -> str:
    match = re.search(r'name="plan" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def _email_of(user) -> str:
    return EmailAddress.objects.filter(user=user).values_list("email", flat=True).first() or (
        user.email
    )


def test_the_completers_of_an_offering_are_issued_through_a_preview_and_a_batch(
    world, personas, django_capture_on_commit_callbacks
) -> None:
    klass, achievement = world
    Issuance.objects.all().delete()  # the automatic requests of the closing
    client = _client(personas.issuer_admin)
    url = reverse("issue_preview", args=[achievement.public_id])

    preview = client.post(url, {"mode": "offering", "offering": str(klass.offering.public_id)})

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Sẽ được cấp: <strong>2</strong>" in page
    assert "Chưa hoàn thành lớp học: <strong>1</strong>" in page
    assert not Issuance.objects.exists()  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            reverse("issue_confirm", args=[achievement.public_id]), {"plan": _plan(preview)}
        )
    batch = IssuanceBatch.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("issuer_batch", args=[batch.public_id])
    progress = client.get(confirmed["Location"])
    assert 'http-equiv="refresh"' in progress.content.decode()
    assert "Đã xử lý 0/2" in progress.content.decode()

    run_pending_jobs()

    done = client.get(confirmed["Location"]).content.decode()
    assert "Đã xử lý 2/2" in done
    assert 'http-equiv="refresh"' not in done
    assert sorted(Credential.objects.values_list("learner_id", flat=True)) == sorted(
        e.learner_id for e in klass.enrollments[:2]
    )
    assert AuditEvent.objects.filter(action="credential.batch_requested").count() == 1

    # The same plan again: the same batch, nothing new (test_issue_replay.py).
    client.post(reverse("issue_confirm", args=[achievement.public_id]), {"plan": _plan(preview)})
    run_pending_jobs()
    assert Credential.objects.count() == 2
    assert IssuanceBatch.objects.count() == 1
    assert set(Issuance.objects.values_list("status", flat=True)) == {"issued"}


def test_a_tampered_or_foreign_plan_issues_nothing(world, personas) -> None:
    klass, achievement = world
    client = _client(personas.issuer_admin)
    preview = client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "offering", "offering": str(klass.offering.public_id)},
    )
    plan = _plan(preview)
    batches_before = IssuanceBatch.objects.count()

    tampered = client.post(
        reverse("issue_confirm", args=[achievement.public_id]), {"plan": plan[:-3] + "abc"}
    )
    other_admin = personas.other_learner
    Membership = apps.get_model("profiles", "Membership")
    Membership.objects.create(
        user=other_admin, organization=achievement.organization, role="issuer_admin"
    )
    with_mfa(other_admin)
    foreign = _client(other_admin).post(
        reverse("issue_confirm", args=[achievement.public_id]), {"plan": plan}
    )

    assert tampered.status_code == 302
    assert foreign.status_code == 404
    assert IssuanceBatch.objects.count() == batches_before


def test_one_learner_by_email_and_a_csv_file_with_mistakes(
    world, personas, django_capture_on_commit_callbacks
) -> None:
    klass, achievement = world
    completer = klass.enrollments[0].learner
    client = _client(personas.issuer_admin)
    url = reverse("issue_preview", args=[achievement.public_id])

    one = client.post(
        url,
        {
            "mode": "one",
            "contact": _email_of(completer).upper(),
            "offering": str(klass.offering.public_id),
        },
    )
    assert "Sẽ được cấp: <strong>1</strong>" in one.content.decode()

    csv_text = (
        "contact,offering\n"
        f"{_email_of(completer)},{klass.offering.public_id}\n"
        f"{_email_of(completer)},{klass.offering.public_id}\n"
        f"{_email_of(klass.enrollments[2].learner)},{klass.offering.public_id}\n"
        "nobody@example.vn,\n"
        "0123,\n"
    )
    from_csv = client.post(
        url,
        {
            "mode": "csv",
            "file": SimpleUploadedFile("ds.csv", csv_text.encode("utf-8-sig"), "text/csv"),
        },
    )
    page = from_csv.content.decode()
    assert "Sẽ được cấp: <strong>1</strong>" in page
    assert "Trùng với một dòng phía trên: <strong>1</strong>" in page
    assert "Chưa hoàn thành lớp học: <strong>1</strong>" in page
    assert "Không tìm thấy người học: <strong>1</strong>" in page
    assert "Email hoặc số điện thoại không hợp lệ: <strong>1</strong>" in page

    bad = client.post(
        url,
        {
            "mode": "csv",
            "file": SimpleUploadedFile("ds.csv", b"email\nx@example.vn\n", "text/csv"),
        },
    )
    assert bad.status_code == 200
    assert "cột “contact”" in bad.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("issue_confirm", args=[achievement.public_id]), {"plan": _plan(one)})
    run_pending_jobs()
    assert Credential.objects.filter(learner=completer).count() == 1


@pytest.mark.parametrize("who", ["center_staff", "center_manager", "learner"])
def test_center_staff_and_learners_get_403_on_issue_and_revoke(world, personas, who) -> None:
    klass, achievement = world
    credential, _ = issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=achievement.public_id,
        learner_id=klass.enrollments[0].learner_id,
        offering_id=klass.offering.public_id,
    )
    client = _client(getattr(personas, who))

    answers = [
        client.get(reverse("issuer_home")).status_code,
        client.post(
            reverse("issue_preview", args=[achievement.public_id]),
            {"mode": "offering", "offering": str(klass.offering.public_id)},
        ).status_code,
        client.post(
            reverse("issue_confirm", args=[achievement.public_id]), {"plan": "x"}
        ).status_code,
        client.post(
            reverse("issuer_credential", args=[credential.public_id]), {"reason": "Sai"}
        ).status_code,
        client.post(
            reverse("api_issue", args=[achievement.public_id]),
            {"offering": str(klass.offering.public_id)},
            content_type="application/json",
        ).status_code,
        client.post(
            reverse("api_credential_revoke", args=[credential.public_id]),
            {"reason": "Sai"},
            content_type="application/json",
        ).status_code,
    ]

    assert answers == [403] * 6
    credential.refresh_from_db()
    assert credential.revoked_at is None
    assert IssuanceBatch.objects.count() == 0


def test_another_organizations_issuer_sees_404(world, personas) -> None:
    _klass, achievement = world
    Organization = apps.get_model("profiles", "Organization")
    Membership = apps.get_model("profiles", "Membership")
    other = Organization.objects.exclude(pk=achievement.organization_id).first()
    stranger = personas.other_learner
    Membership.objects.create(user=stranger, organization=other, role="issuer_admin")
    with_mfa(stranger)

    client = _client(stranger)

    assert client.get(reverse("issuer_achievement", args=[achievement.public_id])).status_code == (
        404
    )
    assert (
        client.post(
            reverse("api_issue", args=[achievement.public_id]),
            {"contact": "a@example.vn"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_api_refuses_an_ineligible_learner_with_the_reason(
    world, personas, django_capture_on_commit_callbacks
) -> None:
    klass, achievement = world
    dropout = klass.enrollments[2].learner
    client = _client(personas.issuer_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api_issue", args=[achievement.public_id]),
            {"contact": _email_of(dropout), "offering": str(klass.offering.public_id)},
            content_type="application/json",
        )
    assert response.status_code == 202
    run_pending_jobs()
    progress = client.get(reverse("api_issuance_batch", args=[response.json()["id"]])).json()

    assert progress["progress"]["refused"] == 1
    refused = Issuance.objects.get(batch__public_id=response.json()["id"])
    assert "chưa hoàn thành" in refused.reason
    assert not Credential.objects.filter(learner=dropout).exists()
    page = client.get(reverse("issuer_batch", args=[response.json()["id"]])).content.decode()
    assert "chưa hoàn thành" in page


def test_revoking_from_the_issuer_page_sets_only_that_bit_and_the_public_page_says_so(
    world, personas
) -> None:
    klass, achievement = world
    credentials = [
        issuance.credential_issue(
            actor=personas.issuer_admin,
            achievement_id=achievement.public_id,
            learner_id=enrollment.learner_id,
            offering_id=klass.offering.public_id,
        )[0]
        for enrollment in klass.enrollments[:2]
    ]
    revoked, kept = credentials
    client = _client(personas.issuer_admin)

    empty = client.post(reverse("issuer_credential", args=[revoked.public_id]), {"reason": " "})
    assert empty.status_code == 200
    response = client.post(
        reverse("issuer_credential", args=[revoked.public_id]), {"reason": "Cấp nhầm người"}
    )

    assert response.status_code == 302
    revoked.refresh_from_db()
    assert revoked.revoke_reason == "Cấp nhầm người"
    status_list = revoked.status_index.status_list
    status_list.refresh_from_db()
    bits = bytes(status_list.bits)
    assert status.bit_is_set(bits, revoked.status_index.index)
    assert not status.bit_is_set(bits, kept.status_index.index)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    public = Client().get(reverse("credential_page", args=[revoked.public_id])).content.decode()
    assert "Chứng chỉ đã bị thu hồi" in public
    assert "Cấp nhầm người" not in public  # the reason stays with the issuer
    assert (
        "Chứng chỉ hợp lệ"
        in Client().get(reverse("credential_page", args=[kept.public_id])).content.decode()
    )


def _png(size: tuple[int, int] = (800, 600)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (30, 80, 140)).save(output, format="PNG")
    return output.getvalue()


def test_an_issuer_creates_an_achievement_linked_to_a_course_with_an_image(world, personas) -> None:
    klass, _achievement = world
    client = _client(personas.issuer_admin)
    fields = {
        "name_vi": "Huy hiệu: Kỹ năng số",
        "name_en": "Badge: Digital skills",
        "description_vi": "Dùng điện thoại thông minh an toàn.",
        "criteria": "Dự đủ 80% số buổi.",
        "achievement_type": "Badge",
        "category": "digital_skills",
        "hours": "12",
        "valid_for_days": "",
        "is_active": "on",
        "course_ids": [str(klass.offering.course.public_id)],
    }

    bad = client.post(
        reverse("achievement_new"),
        {**fields, "image": SimpleUploadedFile("x.png", b"not an image", "image/png")},
    )
    assert "Không đọc được hình này." in bad.content.decode()
    response = client.post(
        reverse("achievement_new"),
        {**fields, "image": SimpleUploadedFile("x.png", _png(), "image/png")},
    )

    created = Achievement.objects.get(name_vi="Huy hiệu: Kỹ năng số")
    assert response.status_code == 302
    assert created.course_ids == [klass.offering.course.public_id]
    assert created.organization_id == klass.offering.course.provider_id
    image = client.get(reverse("achievement_image", args=[created.public_id]))
    assert image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (512, 384)
    public = Client().get(reverse("achievement_page", args=[created.public_id]))
    assert "Dự đủ 80% số buổi." in public.content.decode()


def test_an_achievement_with_an_absurd_validity_or_a_huge_image_is_refused(world, personas) -> None:
    client = _client(personas.issuer_admin)
    fields = {
        "name_vi": "Chứng chỉ vĩnh viễn",
        "description_vi": "Mô tả.",
        "criteria": "Tiêu chí.",
        "achievement_type": "Certificate",
        "category": "other",
        "valid_for_days": "3000000",
        "is_active": "on",
    }

    absurd = client.post(reverse("achievement_new"), fields)
    huge = client.post(
        reverse("achievement_new"),
        {
            **fields,
            "valid_for_days": "365",
            "image": SimpleUploadedFile("x.png", _png((5000, 10)), "image/png"),
        },
    )

    assert absurd.status_code == 200
    assert "36500" in absurd.content.decode().replace(".", "").replace(",", "")
    assert "4096" in huge.content.decode()
    assert not Achievement.objects.filter(name_vi="Chứng chỉ vĩnh viễn").exists()


def test_a_csv_preview_costs_the_same_queries_for_3_rows_or_30(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credentials.services import previews

    klass, achievement = world
    contacts = [_email_of(e.learner) for e in klass.enrollments]
    offering = klass.offering.public_id

    def queries(count: int) -> int:
        rows = [
            (line, contacts[line % 3] if line % 2 else f"0912 000 {line:03d}", offering)
            for line in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            previews.preview_contacts(achievement=achievement, rows=rows)
        return len(captured.captured_queries)

    assert queries(3) == queries(30)


def test_the_issuer_finds_a_learners_credential_by_email_or_phone(world, personas) -> None:
    klass, achievement = world
    for enrollment in klass.enrollments[:2]:
        issuance.credential_issue(
            actor=personas.issuer_admin,
            achievement_id=achievement.public_id,
            learner_id=enrollment.learner_id,
            offering_id=klass.offering.public_id,
        )
    wanted = Credential.objects.get(learner=klass.enrollments[1].learner)
    other = Credential.objects.get(learner=klass.enrollments[0].learner)
    url = reverse("issuer_achievement", args=[achievement.public_id])
    client = _client(personas.issuer_admin)

    found = client.get(url, {"q": _email_of(klass.enrollments[1].learner).upper()})
    nobody = client.get(url, {"q": "0912 999 999"})
    garbage = client.get(url, {"q": "'; DROP TABLE x; --" * 40})

    page = found.content.decode()
    assert str(wanted.public_id) in page
    assert str(other.public_id) not in page
    assert "Không tìm thấy chứng chỉ nào của người học này." in nobody.content.decode()
    assert garbage.status_code == 200
