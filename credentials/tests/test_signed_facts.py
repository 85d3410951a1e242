"""What a credential shows comes from what was signed, in Vietnam's time: the page, the PDF,
the JSON, the e-mail and the issuer's CSV export; a name that really changed is re-issued; and
every URL inside an issued credential answers."""

import csv
import io
from urllib.parse import urlsplit

import pdfplumber
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from credentials import documents
from credentials.jsonld import CONTEXT_FILES
from credentials.models import Credential
from credentials.services import issuance, revocation
from credentials.services.verification import verify_here
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import with_mfa
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db

CitizenProfile = apps.get_model("profiles", "CitizenProfile")
LearningRecord = apps.get_model("profiles", "LearningRecord")


def _rename(credential: Credential, name: str) -> None:
    CitizenProfile.objects.filter(user_id=credential.learner_id).update(full_name=name)


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(credential: Credential, language: str = "vi") -> str:
    response = _client(language).get(reverse("credential_page", args=[credential.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _pdf_text(credential: Credential, language: str = "vi") -> str:
    response = _client(language).get(reverse("credential_pdf", args=[credential.public_id]))
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        # One line of text, whatever way the certificate wraps it.
        return " ".join(" ".join(page.extract_text() or "" for page in pdf.pages).split())


def _json(credential: Credential) -> dict:
    return Client().get(reverse("credential_json", args=[credential.public_id])).json()


def _email_text() -> str:
    run_pending_jobs()  # the outbox hands the notice to a sending job
    run_pending_jobs()
    [message] = mail.outbox
    return message.body


def test_the_holders_name_is_signed_and_what_the_page_shows(issued) -> None:
    name = CitizenProfile.objects.get(user_id=issued.learner_id).full_name

    identifiers = issued.document["credentialSubject"]["identifier"]

    assert {"type": "IdentityObject", "identityType": "name", "hashed": False} | {
        "identityHash": name
    } in identifiers
    assert documents.holder_name(issued.document) == name
    assert verify_here(issued.document).verdict == "valid"


def test_a_profile_changed_after_issuance_changes_nothing_the_credential_shows(issued) -> None:
    signed_name = documents.holder_name(issued.document)
    json_before = _json(issued)

    _rename(issued, "Trần Thị Đổi Tên")

    page, pdf, email = _page(issued), _pdf_text(issued), _email_text()
    assert signed_name in page
    assert signed_name in pdf
    assert signed_name in email
    for shown in (page, pdf, email):
        assert "Đổi Tên" not in shown
    assert "Chứng chỉ hợp lệ" in page
    assert _json(issued) == json_before == issued.document


def test_a_credential_issued_at_0519_in_hanoi_shows_that_day_everywhere(issued, personas) -> None:
    issuer = Client()
    issuer.force_login(personas.issuer_admin)

    page, pdf, email = _page(issued), _pdf_text(issued), _email_text()
    export = issuer.get(reverse("issuer_credentials_export", args=[issued.achievement.public_id]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))

    assert issued.document["validFrom"] == "2026-11-29T22:19:00Z"
    assert "30/11/2026" in page
    assert "30/11/2026" in pdf
    assert "ngày cấp 30/11/2026" in email
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:3] == ["Mã chứng chỉ", "Người nhận (tên đã ký)", "Ngày cấp"]
    assert rows[1][:4] == [
        str(issued.public_id),
        documents.holder_name(issued.document),
        "30/11/2026",
        "",
    ]
    for shown in (page, pdf, email):
        assert "29/11/2026" not in shown


def test_in_english_the_day_is_written_the_english_way(issued) -> None:
    assert "30 Nov 2026" in _page(issued, "en")
    assert "30 Nov 2026" in _pdf_text(issued, "en")


def test_the_issuers_export_stays_in_the_issuers_organization(issued, personas) -> None:
    outsider = Client()
    with_mfa(personas.other_center_staff)
    outsider.force_login(personas.other_center_staff)

    response = outsider.get(
        reverse("issuer_credentials_export", args=[issued.achievement.public_id])
    )

    assert response.status_code in (403, 404)


def test_a_credential_issued_before_names_were_signed_says_the_name_is_the_one_on_file(
    issued,
) -> None:
    document = dict(issued.document)
    subject = dict(document["credentialSubject"])
    subject["identifier"] = [
        identifier
        for identifier in subject["identifier"]
        if identifier.get("identityType") != "name"
    ]
    document["credentialSubject"] = subject
    Credential.objects.filter(pk=issued.pk).update(document=document)
    name_on_file = CitizenProfile.objects.get(user_id=issued.learner_id).full_name

    page = _page(issued)

    assert name_on_file in page
    assert "tên trên là tên trong hồ sơ hiện tại, không nằm trong nội dung đã ký" in page


def test_a_name_that_changed_is_reissued_one_standing_and_one_revoked(issued, personas) -> None:
    _rename(issued, "Nguyễn Thị Hồng Nhung")
    issuer = Client()
    issuer.force_login(personas.issuer_admin)
    manage_url = reverse("issuer_credential", args=[issued.public_id])
    assert "Cấp lại với tên “Nguyễn Thị Hồng Nhung”" in issuer.get(manage_url).content.decode()

    response = issuer.post(
        reverse("issuer_credential_reissue", args=[issued.public_id]), {"confirm": "yes"}
    )

    old = Credential.objects.get(pk=issued.pk)
    new = Credential.objects.get(replaces=old)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("issuer_credential", args=[new.public_id])
    assert old.revoked_at is not None
    assert old.revoke_reason == revocation.REISSUED_REASON
    assert new.revoked_at is None
    assert documents.holder_name(new.document) == "Nguyễn Thị Hồng Nhung"
    assert new.document["validFrom"] == old.document["validFrom"]
    assert verify_here(new.document).verdict == "valid"
    assert verify_here(old.document).verdict == "revoked"
    standing = Credential.objects.filter(learner_id=issued.learner_id, revoked_at__isnull=True)
    assert list(standing) == [new]
    ledger = LearningRecord.objects.filter(citizen_id=issued.learner_id, kind="credential")
    assert ledger.filter(revoked_at__isnull=True).get().source_id == f"credential:{new.public_id}"
    assert ledger.get(source_id=f"credential:{old.public_id}").revoked_at is not None
    actions = set(
        AuditEvent.objects.filter(
            object_id__in=[str(old.public_id), str(new.public_id)]
        ).values_list("action", flat=True)
    )
    assert {"credential.revoked", "credential.issued", "credential.reissued"} <= actions
    assert "Nguyễn Thị Hồng Nhung" in _page(new)


def test_another_organizations_issuer_cannot_reissue(issued, personas) -> None:
    outsider = Client()
    with_mfa(personas.other_center_staff)
    outsider.force_login(personas.other_center_staff)

    response = outsider.post(
        reverse("issuer_credential_reissue", args=[issued.public_id]), {"confirm": "yes"}
    )

    assert response.status_code in (403, 404)
    assert Credential.objects.get(pk=issued.pk).revoked_at is None
    assert not Credential.objects.filter(replaces=issued).exists()


def test_a_revoked_credential_is_not_reissued(issued, personas) -> None:
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=issued.public_id, reason="Cấp nhầm"
    )
    issuer = Client()
    issuer.force_login(personas.issuer_admin)

    response = issuer.post(
        reverse("issuer_credential_reissue", args=[issued.public_id]),
        {"confirm": "yes"},
        follow=True,
    )

    assert "đã bị thu hồi, không cấp lại được" in response.content.decode()
    assert not Credential.objects.filter(replaces=issued).exists()


def _urls(node) -> set[str]:
    """Every http(s) URL a JSON document names, at any depth."""
    if isinstance(node, dict):
        return set().union(*(_urls(value) for value in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_urls(value) for value in node)) if node else set()
    return {node} if isinstance(node, str) and node.startswith(("http://", "https://")) else set()


def test_every_url_inside_an_issued_credential_answers(issued) -> None:
    client = Client(headers={"accept": "text/html"})
    document = issued.document
    own = {url for url in _urls(document) if url.startswith(settings.SITE_URL + "/")}
    standards = _urls(document) - own
    issuer_did = document["issuer"]["id"]
    did_path = "/" + "/".join(issuer_did.split(":")[3:]) + "/did.json"
    expected_types = {
        document["id"]: "text/html",
        document["credentialSubject"]["achievement"]["id"]: "text/html",
        document["evidence"][0]["id"]: "text/html",
        document["credentialStatus"]["statusListCredential"]: "application/json",
        document["credentialStatus"]["id"]: "application/json",
    }

    answers = {}
    for url in sorted(own | {settings.SITE_URL + did_path}):
        parts = urlsplit(url)
        response = client.get(parts.path, follow=True)
        answers[url] = (response.status_code, response.headers["Content-Type"].split(";")[0])

    assert all(status == 200 for status, _type in answers.values()), answers
    for url, content_type in expected_types.items():
        assert answers[url][1] == content_type, url
    assert answers[settings.SITE_URL + did_path][1] == "application/json"
    # The contexts and the schema are the standards' own addresses: their copies are shipped.
    assert standards == set(documents.CONTEXTS) | {documents.SCHEMA_URL}
    assert set(documents.CONTEXTS) <= set(CONTEXT_FILES)
    assert documents.SCHEMA_FILE.is_file()


def test_the_evidence_page_shows_the_class_after_it_ended_and_a_draft_is_not_public(
    issued, completed_class
) -> None:
    klass, _achievement = completed_class
    evidence = urlsplit(issued.document["evidence"][0]["id"]).path

    with translation.override("vi"):
        response = Client().get(evidence)

    assert evidence == f"/courses/offerings/{klass.offering.public_id}"
    assert response.status_code == 200
    assert klass.offering.course.title in response.content.decode()
    type(klass.offering).objects.filter(pk=klass.offering.pk).update(status="draft")
    assert Client().get(evidence).status_code == 404


def test_the_export_neutralises_a_name_a_spreadsheet_would_run(completed_class, personas) -> None:
    klass, achievement = completed_class
    enrollment = klass.enrollments[1]
    CitizenProfile.objects.filter(user_id=enrollment.learner_id).update(
        full_name='=HYPERLINK("http://x.invalid","Nguyễn An")'
    )
    issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=achievement.public_id,
        learner_id=enrollment.learner_id,
        offering_id=klass.offering.public_id,
    )
    with_mfa(personas.issuer_admin)
    issuer = Client()
    issuer.force_login(personas.issuer_admin)

    export = issuer.get(reverse("issuer_credentials_export", args=[achievement.public_id]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))

    assert rows[1][1] == '\'=HYPERLINK("http://x.invalid","Nguyễn An")'
