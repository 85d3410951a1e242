"""Issuing from a spreadsheet: the same rows give the same batch from a comma CSV, a semicolon
CSV with a BOM, a tab-separated file and an .xlsx; a file that is not UTF-8 is refused and
writes nothing; a NUL byte or a 200,000-character cell is a row error, never a 500. The
issuer's export comes as CSV and .xlsx with the same rows."""

import csv
import io
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from credentials.models import Issuance, IssuanceBatch
from credentials.services import issuance
from learnprofile.tests.spreadsheet_files import FORMATS, spreadsheet_upload
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db

EmailAddress = apps.get_model("account", "EmailAddress")
HYPERLINK = '=HYPERLINK("http://x","Bấm vào")'


@pytest.fixture
def world(completed_class, personas):
    with_mfa(personas.issuer_admin)
    Issuance.objects.all().delete()  # the automatic requests of the closing
    return completed_class


@pytest.fixture
def issuer_client(personas) -> Client:
    client = Client()
    client.force_login(personas.issuer_admin)
    return client


def _email_of(user) -> str:
    return EmailAddress.objects.filter(user=user).values_list("email", flat=True).get()


def _rows(klass) -> list[list[object]]:
    offering = str(klass.offering.public_id)
    return [
        [" Contact", "OFFERING"],
        [_email_of(klass.enrollments[0].learner), offering],
        [_email_of(klass.enrollments[1].learner).upper(), offering],
        [_email_of(klass.enrollments[2].learner), offering],  # did not complete
    ]


def _preview(client: Client, achievement, upload):
    return client.post(
        reverse("issue_preview", args=[achievement.public_id]), {"mode": "csv", "file": upload}
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_batch_is_the_same_from_every_format(world, issuer_client, file_format) -> None:
    klass, achievement = world

    preview = _preview(issuer_client, achievement, spreadsheet_upload(_rows(klass), file_format))
    plan = re.search(r'name="plan" value="([^"]+)"', preview.content.decode())
    assert plan, preview.content.decode()[:2000]
    issuer_client.post(
        reverse("issue_confirm", args=[achievement.public_id]), {"plan": plan.group(1)}
    )

    page = preview.content.decode()
    assert "Sẽ được cấp: <strong>2</strong>" in page
    assert "Chưa hoàn thành lớp học: <strong>1</strong>" in page
    assert sorted(
        Issuance.objects.filter(batch__source="csv").values_list("learner_id", "offering_id")
    ) == sorted(
        (enrollment.learner_id, klass.offering.public_id) for enrollment in klass.enrollments[:2]
    )


@pytest.mark.parametrize("encoding", ["utf16", "cp1258"])
def test_a_contacts_file_that_is_not_utf8_is_refused_and_writes_nothing(
    world, issuer_client, encoding
) -> None:
    klass, achievement = world
    rows = [*_rows(klass), ["Nguyễn Văn Đức", ""]]

    response = _preview(issuer_client, achievement, spreadsheet_upload(rows, encoding))

    assert response.status_code == 200
    assert (
        "Hãy lưu tệp dưới dạng CSV UTF-8 (Excel: Tệp &gt; Lưu thành &gt; CSV UTF-8)"
        in response.content.decode()
    )
    assert 'name="plan"' not in response.content.decode()
    assert not IssuanceBatch.objects.exists()
    assert not Issuance.objects.exists()


@pytest.mark.parametrize(
    ("contact", "error"),
    [
        (
            "an\x00@example.vn",
            "Dòng 3: Cột “contact” chứa ký tự không hợp lệ (NUL). Hãy xóa ký tự đó rồi lưu "
            "lại tệp.",
        ),
        ("a" * 200_000, "Dòng 3: Cột “contact” dài 200.000 ký tự; tối đa 1.000 ký tự một ô."),
    ],
    ids=["nul", "200000-characters"],
)
def test_a_hostile_contact_cell_is_a_row_error_not_a_500(
    world, issuer_client, contact, error
) -> None:
    klass, achievement = world
    rows = [["contact"], [_email_of(klass.enrollments[0].learner)], [contact]]

    response = _preview(issuer_client, achievement, spreadsheet_upload(rows, "comma"))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'name="plan"' not in response.content.decode()
    assert not IssuanceBatch.objects.exists()


def test_the_issue_form_accepts_csv_and_xlsx(world, issuer_client) -> None:
    _klass, achievement = world

    page = issuer_client.get(
        reverse("issuer_achievement", args=[achievement.public_id])
    ).content.decode()

    assert (
        'accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet"'
    ) in page
    for name in ("issuer_credentials_export", "issuer_credentials_export_xlsx"):
        assert f'href="{reverse(name, args=[achievement.public_id])}"' in page


def test_the_credentials_export_has_the_same_rows_in_csv_and_xlsx(
    world, issuer_client, personas
) -> None:
    klass, achievement = world
    for enrollment, name in zip(klass.enrollments[:2], [HYPERLINK, "Lò Văn Páo"], strict=True):
        profile = enrollment.learner.citizen_profile
        profile.full_name = name
        profile.save()
        issuance.credential_issue(
            actor=personas.issuer_admin,
            achievement_id=achievement.public_id,
            learner_id=enrollment.learner_id,
            offering_id=klass.offering.public_id,
        )

    as_csv = issuer_client.get(reverse("issuer_credentials_export", args=[achievement.public_id]))
    as_xlsx = issuer_client.get(
        reverse("issuer_credentials_export_xlsx", args=[achievement.public_id])
    )

    text = b"".join(as_csv.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    csv_rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert as_xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert as_xlsx.headers["Content-Disposition"] == (
        f'attachment; filename="credentials-{achievement.public_id}.xlsx"'
    )
    worksheet = load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content))).worksheets[0]
    cells = [list(row) for row in worksheet.iter_rows()]
    xlsx_rows = [[cell.value or "" for cell in row] for row in cells]
    assert [[value.removeprefix("'") for value in row] for row in csv_rows] == xlsx_rows
    assert len(xlsx_rows) == 3
    assert sorted(row[1] for row in csv_rows[1:]) == ["'" + HYPERLINK, "Lò Văn Páo"]
    assert {cell.data_type for row in cells for cell in row if cell.value} == {"s"}
