"""What a fresh tester threw at the verifier, the re-issue and the status list: each answered
in the user's language, quickly, and never with a server error."""

import copy
import json
import re
import socket
import unicodedata

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.throttling import ScopedRateThrottle

from credentials import documents, verify
from credentials.models import Credential
from credentials.services import resolution, revocation, status
from credentials.services.verification import VERIFY_MAX_BYTES, key_resolve, verify_here
from credentials.tests.test_verify import NOW, _issue
from learnprofile.errors import Conflict

pytestmark = pytest.mark.django_db


def documents_contexts() -> list[str]:
    return list(documents.CONTEXTS)


CitizenProfile = apps.get_model("profiles", "CitizenProfile")


@pytest.mark.parametrize(
    "context",
    [
        "garbage",
        [*documents_contexts(), "garbage"],
        [*documents_contexts(), "./ctx.json"],
        [*documents_contexts(), 42],
    ],
    ids=["a word", "a word in the list", "a relative path", "a number"],
)
def test_a_context_that_is_not_a_url_is_invalid_on_the_page_and_the_api(issuer, context) -> None:
    signed, _position = _issue(issuer)
    broken = {**signed, "@context": context}
    client = Client(raise_request_exception=False)

    api = client.post(reverse("api_credential_verify"), broken, content_type="application/json")
    page = client.post(reverse("credential_verify_upload"), {"credential": json.dumps(broken)})

    assert api.status_code == 200
    assert api.json()["verdict"] == "invalid"
    assert page.status_code == 200
    assert "Chứng chỉ không hợp lệ" in page.content.decode()


def test_more_proofs_than_a_credential_carries_are_refused_without_checking_one(issuer) -> None:
    signed, _position = _issue(issuer)
    many = {**signed, "proof": signed["proof"] * (verify.MAX_PROOFS + 1)}
    asked = []

    def counting_resolver(method):
        asked.append(method)
        return key_resolve(method)

    result = verify.credential_verify(
        many, resolve_key=counting_resolver, read_status=status.status_bits_read
    )

    assert result.verdict == "invalid"
    assert [report.code for report in result.proofs] == ["too_many_proofs"]
    assert asked == []


def test_a_proof_by_another_did_web_is_reported_but_its_key_never_fetched(issuer) -> None:
    signed, _position = _issue(issuer)
    stranger = copy.deepcopy(signed["proof"][0])
    stranger["verificationMethod"] = "did:web:attacker.example:a#key-1"
    asked = []

    def counting_resolver(method):
        asked.append(method)
        return key_resolve(method)

    result = verify.credential_verify(
        {**signed, "proof": [signed["proof"][0], stranger]},
        resolve_key=counting_resolver,
        read_status=status.status_bits_read,
        now=NOW,
    )

    assert result.verdict == "valid"
    assert [report.code for report in result.proofs] == ["", "not_by_issuer"]
    assert all(method.startswith(signed["issuer"]["id"]) for method in asked)


def test_the_api_refuses_a_body_over_the_limit_in_json_and_vietnamese(issuer) -> None:
    signed, _position = _issue(issuer)
    padded = {**signed, "padding": "x" * VERIFY_MAX_BYTES}

    response = Client().post(
        reverse("api_credential_verify"), padded, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": "Dữ liệu gửi lên quá lớn (tối đa 256 KB).",
    }


def test_a_body_larger_than_django_takes_is_a_json_413_naming_that_limit(settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client().post(
        reverse("api_credential_verify"),
        "{" + '"a": 1,' * 2000 + '"b": 2}',
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": "Dữ liệu gửi lên quá lớn (tối đa 1 KB).",
    }


@pytest.mark.parametrize("body", [b"not json", b'{"a": ', "{}".encode("utf-16")])
def test_malformed_json_is_a_400_in_the_users_language(body) -> None:
    response = Client().post(
        reverse("api_credential_verify"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Dữ liệu gửi lên không phải là JSON hợp lệ (mã hóa UTF-8)."
    )


def test_the_verify_page_never_calls_a_forged_name_signed(issued) -> None:
    genuine = issued.document
    forged = copy.deepcopy(genuine)
    for identifier in forged["credentialSubject"]["identifier"]:
        if identifier["identityType"] == "name":
            identifier["identityHash"] = "Trần Văn Giả"
    client = Client()

    forged_page = client.post(
        reverse("credential_verify_upload"), {"credential": json.dumps(forged)}
    ).content.decode()
    genuine_page = client.post(
        reverse("credential_verify_upload"), {"credential": json.dumps(genuine)}
    ).content.decode()

    assert "Chứng chỉ không hợp lệ" in forged_page
    assert "Trần Văn Giả" not in forged_page
    assert "tên nằm trong nội dung đã ký" not in forged_page
    assert "Chứng chỉ hợp lệ" in genuine_page
    assert f"Cấp cho: {documents.holder_name(genuine)} (tên nằm trong nội dung đã ký)" in (
        genuine_page
    )


def test_the_verify_page_is_limited_like_the_api(issuer, monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"credential_verify": "2/min"})
    cache.clear()
    signed, _position = _issue(issuer)
    client = Client()
    form = {"credential": json.dumps(signed)}

    answers = [client.post(reverse("credential_verify_upload"), form) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "Bạn đã kiểm tra nhiều lần liên tiếp" in answers[2].content.decode()


@pytest.mark.parametrize("asked", ["*", "W/{etag}", '"other", {etag}'])
def test_the_status_list_answers_304_to_any_matching_etag_and_serves_head(issuer, asked) -> None:
    _signed, position = _issue(issuer)
    url = reverse("status_list_credential", args=[position.status_list.public_id])
    client = Client()
    etag = client.get(url).headers["ETag"]

    again = client.get(url, headers={"If-None-Match": asked.format(etag=etag)})
    head = client.head(url)

    assert again.status_code == 304
    assert head.status_code == 200
    assert head.headers["ETag"] == etag


def test_a_name_typed_with_combining_marks_is_stored_and_signed_as_one_name(issued) -> None:
    decomposed = unicodedata.normalize("NFD", "Tôn Nữ Hoàng Phương Thảo Quỳnh")
    learner = issued.learner
    client = Client()
    client.force_login(learner)
    page = client.get(reverse("profile_edit"))
    form = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and key != "full_name"
    }

    client.post(reverse("profile_edit"), {**form, "full_name": decomposed})

    stored = CitizenProfile.objects.get(user=learner).full_name
    assert stored == unicodedata.normalize("NFC", decomposed)


def test_a_reissue_with_the_same_name_is_refused_whatever_its_unicode_form(issued, personas):
    signed_name = documents.holder_name(issued.document)
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(
        full_name=unicodedata.normalize("NFD", f"  {signed_name} ")
    )
    client = Client()
    client.force_login(personas.issuer_admin)

    page = client.get(reverse("issuer_credential", args=[issued.public_id])).content.decode()
    listing = client.get(
        reverse("issuer_achievement", args=[issued.achievement.public_id])
    ).content.decode()
    with pytest.raises(Conflict):
        revocation.credential_reissue(actor=personas.issuer_admin, credential_id=issued.public_id)

    assert "Cấp lại với tên" not in page
    assert "cần cấp lại" not in listing
    assert Credential.objects.get(pk=issued.pk).revoked_at is None


def test_a_reissued_credentials_reason_reads_in_the_readers_language(issued, personas) -> None:
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(full_name="Lê Thị Mới")
    new = revocation.credential_reissue(actor=personas.issuer_admin, credential_id=issued.public_id)
    client = Client()
    client.force_login(personas.issuer_admin)
    client.cookies["learnprofile_language"] = "en"

    with translation.override("en"):
        page = client.get(reverse("issuer_credential", args=[issued.public_id])).content.decode()

    assert "Re-issued" in page
    assert "Đã cấp lại" not in page
    assert verify_here(new.document).verdict == "valid"


def test_a_pasted_credential_larger_than_django_takes_is_a_page_in_vietnamese(settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client(raise_request_exception=False)

    response = client.post(reverse("credential_verify_upload"), {"credential": "x" * 4096})

    assert response.status_code == 413
    assert "Tệp quá lớn (tối đa 256 KB)." in response.content.decode()


def test_a_request_django_refuses_elsewhere_gets_the_400_page_in_vietnamese(settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client(raise_request_exception=False)

    response = client.post(reverse("account_login"), {f"f{number}": "x" for number in range(20)})

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_cached_fetch_failure_reads_in_the_language_of_whoever_asks(settings) -> None:
    settings.CREDENTIAL_FETCH_ALLOW_HTTP = True
    settings.CREDENTIAL_FETCH_ALLOW_PRIVATE = True
    cache.clear()
    with socket.socket() as probe:  # a port nothing listens on: refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/issuers/x/did.json"
    messages = []
    for language in ("en", "vi"):
        with translation.override(language):
            with pytest.raises(resolution.FetchError) as caught:
                resolution.json_fetch(url)  # the second time, from the cache
            messages.append(str(caught.value))

    assert messages == ["the host does not answer", "máy chủ không trả lời"]


@pytest.mark.parametrize(
    "name",
    ["credential_page", "credential_json", "credential_pdf", "credential_qr"],
)
def test_every_public_url_of_a_credential_answers_head(issued, name) -> None:
    response = Client().head(reverse(name, args=[issued.public_id]))

    assert response.status_code == 200


def test_the_verify_page_does_not_headline_a_tampered_title(issued) -> None:
    forged = copy.deepcopy(issued.document)
    forged["credentialSubject"]["achievement"]["name"] = "Bằng Tiến sĩ Y khoa"

    page = (
        Client()
        .post(reverse("credential_verify_upload"), {"credential": json.dumps(forged)})
        .content.decode()
    )

    assert "<strong>Bằng Tiến sĩ Y khoa</strong>" not in page
    assert "nhưng chữ ký không xác nhận điều đó" in page


def test_a_signature_that_does_not_match_says_so_once(issued) -> None:
    forged = copy.deepcopy(issued.document)
    forged["credentialSubject"]["achievement"]["name"] = "Bằng Tiến sĩ Y khoa"

    [report] = verify_here(forged).proofs

    assert report.detail == (
        "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa này ký."
    )


def test_an_old_link_of_a_credential_reissued_twice_leads_to_the_current_one(
    issued, personas
) -> None:
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(full_name="Tên Hai")
    second = revocation.credential_reissue(
        actor=personas.issuer_admin, credential_id=issued.public_id
    )
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(full_name="Tên Ba")
    third = revocation.credential_reissue(
        actor=personas.issuer_admin, credential_id=second.public_id
    )

    page = Client().get(reverse("credential_page", args=[issued.public_id])).content.decode()

    assert reverse("credential_page", args=[third.public_id]) in page
    assert reverse("credential_page", args=[second.public_id]) not in page


def test_a_reissue_needs_the_confirmation_box(issued, personas) -> None:
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(full_name="Lê Thị Mới")
    client = Client()
    client.force_login(personas.issuer_admin)

    response = client.post(
        reverse("issuer_credential_reissue", args=[issued.public_id]), follow=True
    )

    assert "Hãy đánh dấu ô xác nhận" in response.content.decode()
    assert Credential.objects.get(pk=issued.pk).revoked_at is None
    assert not Credential.objects.filter(replaces=issued).exists()


def test_each_issue_form_on_the_achievement_page_has_its_own_ids(issued, personas) -> None:
    client = Client()
    client.force_login(personas.issuer_admin)

    page = client.get(
        reverse("issuer_achievement", args=[issued.achievement.public_id])
    ).content.decode()

    ids = re.findall(r'\bid="(id_[^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(ids)
    for label_target in re.findall(r'<label for="([^"]+)"', page):
        assert f'id="{label_target}"' in page


def test_a_reissued_credential_offers_no_share_link_but_can_still_be_hidden(
    issued, personas
) -> None:
    CitizenProfile.objects.filter(user_id=issued.learner_id).update(full_name="Lê Thị Mới")
    revocation.credential_reissue(actor=personas.issuer_admin, credential_id=issued.public_id)
    client = Client()
    client.force_login(issued.learner)

    page = client.get(reverse("my_credentials")).content.decode()

    assert f'id="share-{issued.public_id}"' not in page
    assert reverse("credential_visibility", args=[issued.public_id]) in page
    assert "Đã cấp lại" in page
