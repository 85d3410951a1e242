"""A batch row names its learner by a phone typed in any accepted form (issue #17): the rows
go through `profiles.api.contacts_match`, which owns the phone rules. A contact that is not a
valid phone number or e-mail address says why, on the row of a file or on the field of the
one-learner form; a phone number several people share is a row of its own, never a guess."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from credentials.models import Credential, IssuanceBatch
from credentials.services import issuance, previews
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db

# By label: credentials (tests included) may not import profiles.models.
CitizenProfile = apps.get_model("profiles", "CitizenProfile")


@pytest.mark.parametrize(
    "typed",
    [
        "0329 123 456",
        "+84 329 123 456",
        "84329123456",
        "+84 0329 123 456",
        "0329.123.456",
        "0162 912 3456",
        "+84 1629 123 456",
    ],
)
def test_a_row_names_the_completer_by_any_form_of_their_number(completed_class, typed) -> None:
    klass, achievement = completed_class
    completer = klass.enrollments[0].learner_id
    CitizenProfile.objects.filter(user_id=completer).update(phone="+84329123456")

    preview = previews.preview_contacts(
        achievement=achievement, rows=[(1, typed, klass.offering.public_id)]
    )

    assert [(row.contact, row.outcome, row.learner_id) for row in preview.rows] == [
        (typed, previews.Outcome.ISSUE, completer)
    ]


NOT_IN_PLAN = (
    "Số điện thoại không có trong kế hoạch đánh số của Việt Nam. Hãy kiểm tra lại: số di động "
    "gồm 10 chữ số, ví dụ 0912 345 678; số cố định gồm cả mã vùng, ví dụ 024 3825 1234."
)
NOT_DIGITS = (
    "Số điện thoại chỉ gồm chữ số, có thể thêm dấu cách, dấu chấm, dấu gạch ngang và dấu + ở "
    "đầu. Ví dụ: 0912 345 678."
)
TOO_LONG = "Số điện thoại quá dài: chỉ nhập một số, ví dụ 0912 345 678."
BAD_EMAIL = (
    "Địa chỉ email không hợp lệ. Hãy kiểm tra lại: email có dạng ten@tenmien, ví dụ "
    "lan.nguyen@example.com."
)
SHARED = "Nhiều người dùng chung số điện thoại này; hãy dùng email của người học."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0912 345 6789", NOT_IN_PLAN),
        ("0111 111 111", NOT_IN_PLAN),
        ("số lạ", NOT_DIGITS),
        ("9" * 5000, TOO_LONG),
    ],
)
def test_a_row_with_an_impossible_number_says_why_and_names_nobody(
    completed_class, typed, message
) -> None:
    klass, achievement = completed_class
    CitizenProfile.objects.filter(user_id=klass.enrollments[0].learner_id).update(
        phone="+84912345678"
    )

    preview = previews.preview_contacts(
        achievement=achievement, rows=[(1, typed, klass.offering.public_id)]
    )

    assert [(row.contact, row.outcome, row.learner_id, row.label) for row in preview.rows] == [
        (typed, previews.Outcome.INVALID_CONTACT, None, message)
    ]


@pytest.mark.parametrize("typed", ["lan@", "@example.com", "lan@@example.com", "lan @example.com"])
def test_a_row_with_a_malformed_email_says_why_and_names_nobody(completed_class, typed) -> None:
    klass, achievement = completed_class

    preview = previews.preview_contacts(
        achievement=achievement, rows=[(1, typed, klass.offering.public_id)]
    )

    assert [(row.contact, row.outcome, row.learner_id, row.label) for row in preview.rows] == [
        (typed, previews.Outcome.INVALID_CONTACT, None, BAD_EMAIL)
    ]


def test_a_phone_two_completers_share_is_a_row_of_its_own_that_names_neither(
    completed_class,
) -> None:
    klass, achievement = completed_class
    CitizenProfile.objects.filter(
        user_id__in=[enrollment.learner_id for enrollment in klass.enrollments[:2]]
    ).update(phone="+842438251234")

    preview = previews.preview_contacts(
        achievement=achievement,
        rows=[(1, "024 3825 1234", klass.offering.public_id), (2, "0243.825.1234", None)],
    )

    assert [(row.line, row.outcome, row.learner_id, row.label) for row in preview.rows] == [
        (1, previews.Outcome.SHARED_PHONE, None, SHARED),
        (2, previews.Outcome.SHARED_PHONE, None, SHARED),
    ]
    assert preview.to_issue == []


def test_a_phone_nobody_has_is_still_a_learner_not_found(completed_class) -> None:
    klass, achievement = completed_class

    preview = previews.preview_contacts(
        achievement=achievement, rows=[(1, "0987 654 321", klass.offering.public_id)]
    )

    assert [(row.outcome, row.label) for row in preview.rows] == [
        (previews.Outcome.UNKNOWN, "Không tìm thấy người học")
    ]


# --- The issuer's pages ---------------------------------------------------------------------


@pytest.fixture
def issuer_client(personas) -> Client:
    with_mfa(personas.issuer_admin)
    client = Client()
    client.force_login(personas.issuer_admin)
    return client


def _issue_one(client: Client, achievement, contact: str, offering=None):
    return client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "one", "contact": contact, "offering": str(offering) if offering else ""},
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [("0912 345 6789", NOT_IN_PLAN), ("0111 111 111", NOT_IN_PLAN), ("lan@", BAD_EMAIL)],
)
def test_the_one_learner_form_shows_why_a_contact_is_invalid_on_its_field(
    completed_class, issuer_client, typed, message
) -> None:
    klass, achievement = completed_class

    response = _issue_one(issuer_client, achievement, typed, klass.offering.public_id)

    assert response.status_code == 200
    assert response.context["one_form"].errors == {"contact": [message]}
    assert 'name="plan"' not in response.content.decode()
    assert not IssuanceBatch.objects.exists()


def test_the_one_learner_form_says_a_shared_phone_names_several_people(
    completed_class, issuer_client
) -> None:
    klass, achievement = completed_class
    CitizenProfile.objects.filter(
        user_id__in=[enrollment.learner_id for enrollment in klass.enrollments[:2]]
    ).update(phone="+84912345678")

    response = _issue_one(issuer_client, achievement, "0912 345 678", klass.offering.public_id)

    page = response.content.decode()
    assert "Số điện thoại nhiều người dùng chung: <strong>1</strong>" in page
    assert f"<td>{SHARED}</td>" in page
    assert "Không tìm thấy người học" not in page
    assert 'name="plan"' not in page


def test_a_file_row_with_an_impossible_number_says_why_and_the_others_go_on(
    completed_class, issuer_client
) -> None:
    klass, achievement = completed_class
    completer = klass.enrollments[0].learner_id
    CitizenProfile.objects.filter(user_id=completer).update(phone="+84329123456")
    offering = klass.offering.public_id
    content = f"contact,offering\n0329 123 456,{offering}\n0912 345 6789,{offering}\n"

    response = issuer_client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "csv", "file": SimpleUploadedFile("ds.csv", content.encode(), "text/csv")},
    )

    rows = response.context["preview"].rows
    assert [(row.line, row.outcome, row.learner_id) for row in rows] == [
        (2, previews.Outcome.ISSUE, completer),
        (3, previews.Outcome.INVALID_CONTACT, None),
    ]
    page = response.content.decode()
    assert NOT_IN_PLAN in page
    assert "Email hoặc số điện thoại không hợp lệ: <strong>1</strong>" in page
    assert not IssuanceBatch.objects.exists()


def test_searching_a_shared_phone_finds_the_credentials_of_each_person_sharing_it(
    completed_class, issuer_client, personas
) -> None:
    klass, achievement = completed_class
    sharing = [enrollment.learner_id for enrollment in klass.enrollments[:2]]
    CitizenProfile.objects.filter(user_id__in=sharing).update(phone="+842438251234")
    for learner_id in sharing:
        issuance.credential_issue(
            actor=personas.issuer_admin,
            achievement_id=achievement.public_id,
            learner_id=learner_id,
            offering_id=klass.offering.public_id,
        )

    response = issuer_client.get(
        reverse("issuer_achievement", args=[achievement.public_id]), {"q": "024 3825 1234"}
    )

    shown = {credential.learner_id for credential, _person in response.context["credentials"]}
    assert shown == set(sharing)
    assert Credential.objects.count() == 2


def _api_issue(client: Client, achievement, contact: str, offering):
    return client.post(
        reverse("api_issue", args=[achievement.public_id]),
        {"contact": contact, "offering": str(offering)},
        content_type="application/json",
    )


def test_the_api_refuses_an_impossible_number_on_contact_and_writes_nothing(
    completed_class, issuer_client
) -> None:
    klass, achievement = completed_class

    response = _api_issue(issuer_client, achievement, "0912 345 6789", klass.offering.public_id)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"contact": [NOT_IN_PLAN]}
    assert not IssuanceBatch.objects.exists()


def test_the_api_refuses_a_shared_phone_on_contact_and_writes_nothing(
    completed_class, issuer_client
) -> None:
    klass, achievement = completed_class
    CitizenProfile.objects.filter(
        user_id__in=[enrollment.learner_id for enrollment in klass.enrollments[:2]]
    ).update(phone="+84912345678")

    response = _api_issue(issuer_client, achievement, "0912 345 678", klass.offering.public_id)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"contact": [SHARED]}
    assert not IssuanceBatch.objects.exists()


def test_the_summary_heads_the_shared_phone_count_with_a_label_not_a_sentence() -> None:
    from credentials.services.previews import OUTCOME_LABELS, Outcome

    label = str(OUTCOME_LABELS[Outcome.SHARED_PHONE])

    assert label == "Số điện thoại nhiều người dùng chung"
    assert not label.endswith(".")
