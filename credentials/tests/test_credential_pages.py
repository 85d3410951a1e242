"""What a stranger and the holder see: the verification page with its QR code, the JSON and
the PDF; checking a file; the holder's list, share link and the switch that hides the page."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.tests.factories import class_close, class_make
from credentials.models import Achievement, Credential
from credentials.services import issuance, revocation
from credentials.services.verification import verify_here

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential(personas, settings):
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=1, sessions=2)
    class_close(klass, actor=personas.center_staff)
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản với đủ buổi học.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
        hours=Decimal(24),
        valid_for_days=365,
    )
    issued, _ = issuance.credential_issue(
        actor=None,
        achievement_id=achievement.public_id,
        learner_id=klass.enrollments[0].learner_id,
        offering_id=klass.offering.public_id,
    )
    return issued


def _holder(credential) -> Client:
    client = Client()
    client.force_login(credential.learner)
    return client


def test_the_public_page_gives_the_verdict_in_plain_words_with_a_qr_code(credential) -> None:
    response = Client().get(reverse("credential_page", args=[credential.public_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Chứng chỉ hợp lệ" in page
    assert "Học viên 01" in page
    assert "Chứng nhận hoàn thành: Tin học cơ bản" in page
    assert "<svg" in page
    assert f"https://hoctap.gov.vn/credentials/{credential.public_id}" in page
    assert response["Cache-Control"] == "no-cache"


def test_the_credential_json_is_the_signed_document_and_the_id_url_negotiates(
    credential,
) -> None:
    by_url = Client().get(reverse("credential_json", args=[credential.public_id]))
    by_accept = Client().get(
        reverse("credential_page", args=[credential.public_id]),
        HTTP_ACCEPT="application/ld+json",
    )

    assert by_url["Content-Type"] == "application/ld+json"
    assert json.loads(by_url.content) == credential.document
    assert json.loads(by_accept.content) == credential.document
    assert credential.document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_the_pdf_certificate_is_rendered_from_the_signed_data(credential) -> None:
    response = Client().get(reverse("credential_pdf", args=[credential.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # The Vietnamese title is in the document's metadata, as UTF-16 text.
    title = "Chứng nhận hoàn thành: Tin học cơ bản".encode("utf-16-be").hex().upper()
    assert title.encode() in response.content.upper()
    assert b"/Image" in response.content  # the QR code


def test_checking_a_file_without_an_account(credential) -> None:
    url = reverse("credential_verify_upload")
    genuine = json.dumps(credential.document).encode()
    forged = dict(credential.document)
    forged["name"] = "Bằng tiến sĩ"

    ok = Client().post(url, {"file": SimpleUploadedFile("c.json", genuine)})
    bad = Client().post(url, {"credential": json.dumps(forged)})
    garbage = Client().post(url, {"credential": "{not json"})
    empty = Client().post(url, {"credential": ""})

    assert "Chứng chỉ hợp lệ" in ok.content.decode()
    assert "Chứng chỉ không hợp lệ" in bad.content.decode()
    assert "Chữ ký số không khớp" in bad.content.decode()
    assert "Đây không phải là một tệp JSON." in garbage.content.decode()
    assert empty.status_code == 200
    assert "Hãy chọn tệp chứng chỉ" in empty.content.decode()


def test_an_expired_credential_says_so(credential) -> None:
    later = timezone.now() + timedelta(days=400)
    from credentials.services.status import status_bits_read
    from credentials.services.verification import key_resolve
    from credentials.verify import credential_verify

    result = credential_verify(
        credential.document, resolve_key=key_resolve, read_status=status_bits_read, now=later
    )
    assert result.verdict == "expired"
    assert "đã hết hiệu lực" in next(c.detail for c in result.checks if c.name == "validity")


def test_the_holder_lists_shares_and_hides_their_credential(credential, personas) -> None:
    holder = _holder(credential)
    page_url = reverse("credential_page", args=[credential.public_id])

    listing = holder.get(reverse("my_credentials")).content.decode()
    assert "Chứng nhận hoàn thành: Tin học cơ bản" in listing
    assert f'value="https://hoctap.gov.vn/credentials/{credential.public_id}"' in listing

    hidden = holder.post(
        reverse("credential_visibility", args=[credential.public_id]), {"public": "0"}
    )
    assert hidden.status_code == 302
    for url in (
        page_url,
        reverse("credential_json", args=[credential.public_id]),
        reverse("credential_pdf", args=[credential.public_id]),
        reverse("credential_qr", args=[credential.public_id]),
    ):
        assert Client().get(url).status_code == 404
        assert holder.get(url).status_code == 200
    assert "Trang kiểm tra đang ẩn" in holder.get(reverse("my_credentials")).content.decode()

    # Somebody else cannot switch it back on.
    stranger = Client()
    stranger.force_login(personas.other_learner)
    assert (
        stranger.post(
            reverse("credential_visibility", args=[credential.public_id]), {"public": "1"}
        ).status_code
        == 404
    )
    assert Client().get(page_url).status_code == 404

    holder.post(reverse("credential_visibility", args=[credential.public_id]), {"public": "1"})
    assert Client().get(page_url).status_code == 200


def test_the_credential_appears_on_the_profile_and_revoked_shows_there_too(
    credential, personas
) -> None:
    holder = _holder(credential)
    assert (
        "Chứng nhận hoàn thành: Tin học cơ bản"
        in holder.get(reverse("my_learning")).content.decode()
    )

    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=credential.public_id, reason="Cấp nhầm"
    )

    assert "Đã thu hồi" in holder.get(reverse("my_credentials")).content.decode()
    assert "Đã thu hồi" in holder.get(reverse("my_learning")).content.decode()


def test_demo_data_holds_a_valid_credential_of_the_demo_learner(db, settings) -> None:
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    credential = Credential.objects.get()
    assert credential.learner.email == "hocvien@demo.learnprofile.vn"
    assert verify_here(credential.document).verdict == "valid"
    assert Achievement.objects.count() == 1


def test_a_hostile_deeply_nested_document_is_refused_clearly_not_with_a_500(db) -> None:
    too_deep_for_python = "[" * 100_000 + "]" * 100_000
    deep_credential = json.dumps({"credentialSubject": json.loads("[" * 500 + "]" * 500)})
    client = Client(raise_request_exception=False)

    api = client.post(
        reverse("api_credential_verify"), too_deep_for_python, content_type="application/json"
    )
    page = client.post(reverse("credential_verify_upload"), {"credential": too_deep_for_python})
    nested = client.post(
        reverse("api_credential_verify"), deep_credential, content_type="application/json"
    )

    assert api.status_code == 400
    assert api.json()["error"]["message"] == "Dữ liệu JSON lồng nhau quá sâu."
    assert "Dữ liệu JSON lồng nhau quá sâu." in page.content.decode()
    assert nested.status_code == 200
    assert nested.json()["verdict"] == "invalid"
    assert nested.json()["checks"][0]["code"] == "too_deep"
