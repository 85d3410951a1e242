"""My learning: the timeline page, self-reported learning and evidence, goals, public profile."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.models import ConsentRecord, EvidenceFile, LearningRecord, PublicProfile
from profiles.tests.factories import (
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    MembershipFactory,
    learning_records_bulk,
    with_mfa,
)


def _self_report(client, **overrides):
    data = {
        "title": "Đọc sách “Kỹ thuật trồng cà phê”",
        "category": "agriculture",
        "provider_name": "Thư viện xã",
        "hours": "6",
        "started_on": "2026-03-01",
        "ended_on": "2026-03-20",
        "description": "",
        "url": "",
        "verifier_organization": "",
    }
    data.update(overrides)
    return client.post(reverse("learning_add"), data)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_learning"))
    assert response.status_code == 200
    return len(queries)


def test_my_learning_query_count_does_not_grow_with_records(client, personas) -> None:
    client.force_login(personas.learner)
    learning_records_bulk(personas.learner, 10)
    few = _page_queries(client)

    learning_records_bulk(personas.other_learner, 5)
    LearningRecord.objects.filter(citizen=personas.learner).delete()
    learning_records_bulk(personas.learner, 1000)
    many = _page_queries(client)

    assert many == few
    assert many <= 12


def test_my_learning_shows_totals_timeline_by_year_and_filters(client, personas) -> None:
    client.force_login(personas.learner)
    learning_records_bulk(personas.learner, 1000)
    year = timezone.localdate().year
    this_year = LearningRecord.objects.filter(
        citizen=personas.learner, occurred_on__year=year
    ).count()

    response = client.get(reverse("my_learning"))
    body = response.content.decode()

    assert response.context["totals"].hours_overall == Decimal("2500.0")
    assert response.context["totals"].hours_this_year == Decimal("2.5") * this_year
    assert response.context["totals"].courses_completed == 1000
    assert f'<h2 id="year-{year}">{year}</h2>' in body
    assert body.count('<li class="record ') == 50  # first page of the timeline

    filtered = client.get(reverse("my_learning"), {"year": year - 1, "category": "agriculture"})
    assert list(filtered.context["page"].object_list) == []
    assert "Không có việc học nào khớp với bộ lọc." in filtered.content.decode()


def test_bad_filter_values_are_ignored_not_errors(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.get(
        reverse("my_learning"), {"year": "abc\x00", "category": "x", "page": "-1"}
    )
    assert response.status_code == 200


def test_self_reported_learning_with_evidence_is_stored_privately(client, personas) -> None:
    client.force_login(personas.learner)
    response = _self_report(
        client,
        evidence=[
            SimpleUploadedFile("chung-nhan.pdf", PDF_BYTES, content_type="application/pdf"),
            SimpleUploadedFile("../../etc/ảnh.png", PNG_BYTES, content_type="image/png"),
        ],
    )

    record = LearningRecord.objects.get(citizen=personas.learner)
    assert response.status_code == 302
    assert record.kind == "self_reported"
    assert record.verification_status == "unverified"
    files = list(record.evidence.order_by("original_name"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("chung-nhan.pdf", "application/pdf"),
        ("ảnh.png", "image/png"),
    ]
    for item in files:
        path = Path(item.file.path)
        assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
        assert path.suffix == ""  # server-chosen name, no trace of the uploader's
        assert item.original_name not in str(path)


def test_html_named_pdf_is_refused_and_nothing_is_written(client, personas) -> None:
    client.force_login(personas.learner)
    response = _self_report(
        client,
        evidence=[SimpleUploadedFile("bang.pdf", HTML_BYTES, content_type="application/pdf")],
    )

    assert response.status_code == 200
    assert "không phải là PDF, JPEG, PNG hoặc WebP" in response.content.decode()
    assert not LearningRecord.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_fifty_megabyte_file_is_refused_with_a_clear_message(client, personas) -> None:
    client.force_login(personas.learner)
    big = PDF_BYTES + b"0" * (50 * 1024 * 1024)
    response = _self_report(
        client, evidence=[SimpleUploadedFile("scan.pdf", big, content_type="application/pdf")]
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Tệp “scan.pdf” nặng 50,0\xa0MB, vượt giới hạn 10,0\xa0MB cho mỗi tệp." in body
    assert not LearningRecord.objects.exists()


def test_fifty_megabyte_message_in_english(client, personas) -> None:
    personas.learner.preferred_language = "en"
    personas.learner.save()
    client.force_login(personas.learner)
    big = PDF_BYTES + b"0" * (50 * 1024 * 1024)
    response = _self_report(
        client, evidence=[SimpleUploadedFile("scan.pdf", big, content_type="application/pdf")]
    )
    assert (
        "“scan.pdf” is 50.0\xa0MB, over the limit of 10.0\xa0MB per file."
        in response.content.decode()
    )


def test_future_dates_and_reversed_dates_are_refused(client, personas) -> None:
    client.force_login(personas.learner)
    response = _self_report(client, started_on="2026-05-01", ended_on="2026-04-01")
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    response = _self_report(client, started_on="2999-01-01", ended_on="")
    assert "Ngày bắt đầu không thể ở tương lai." in response.content.decode()
    assert not LearningRecord.objects.exists()


@pytest.fixture
def evidence_of_learner(client, personas):
    client.force_login(personas.learner)
    center = personas.center_staff.memberships.get().organization
    _self_report(
        client,
        verifier_organization=str(center.public_id),
        evidence=[SimpleUploadedFile("the.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    client.logout()
    return EvidenceFile.objects.get()


def test_owner_downloads_their_evidence(client, personas, evidence_of_learner) -> None:
    client.force_login(personas.learner)
    response = client.get(reverse("evidence_download", args=[evidence_of_learner.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_learner", 404),
        ("other_center_staff", 404),
        ("center_manager", 200),  # a center role at the organization asked to verify
        ("issuer_admin", 404),
        ("regional_admin", 404),
        ("anonymous", 302),
    ],
)
def test_evidence_is_served_only_to_owner_and_verifying_staff(
    client, personas, evidence_of_learner, persona, status
) -> None:
    user = getattr(personas, persona)
    if user.is_authenticated:
        with_mfa(user)
        client.force_login(user)
    response = client.get(reverse("evidence_download", args=[evidence_of_learner.public_id]))
    assert response.status_code == status


def test_verifying_staff_without_a_second_factor_gets_no_evidence(
    client, personas, evidence_of_learner
) -> None:
    """A learner's file is staff data: no second factor, no file (issue 18)."""
    client.force_login(personas.center_manager)
    response = client.get(reverse("evidence_download", args=[evidence_of_learner.public_id]))
    assert response.status_code == 404


def test_goals_and_interests_are_saved(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(
        reverse("learning_goals"),
        {"learning_interests": ["health", "digital_skills"], "yearly_hours_goal": "40"},
    )
    assert response.status_code == 302
    profile = personas.learner.citizen_profile
    profile.refresh_from_db()
    assert profile.learning_interests == ["digital_skills", "health"]
    assert profile.yearly_hours_goal == 40
    page = client.get(reverse("my_learning")).content.decode()
    assert "Mục tiêu năm nay: 40 giờ" in page
    assert "Kỹ năng số, Sức khỏe" in page


def test_goal_with_unknown_category_is_refused(client, personas) -> None:
    client.force_login(personas.learner)
    response = client.post(reverse("learning_goals"), {"learning_interests": ["<script>"]})
    assert response.status_code == 200
    personas.learner.citizen_profile.refresh_from_db()
    assert personas.learner.citizen_profile.learning_interests == []


def test_nothing_is_public_by_default(client, personas) -> None:
    learning_records_bulk(personas.learner, 3)
    assert not PublicProfile.objects.exists()
    assert not LearningRecord.objects.filter(is_public=True).exists()


def test_public_profile_shows_only_the_chosen_records(client, personas) -> None:
    first, second, _third = learning_records_bulk(personas.learner, 3)
    client.force_login(personas.learner)
    response = client.post(
        reverse("public_profile_settings"),
        {
            "is_enabled": "on",
            "display_name": "An",
            "headline": "Thích học",
            "records": [str(first.public_id)],
        },
    )
    assert response.status_code == 302
    public = PublicProfile.objects.get(user=personas.learner)
    assert len(public.slug) >= 24
    consent = ConsentRecord.objects.get(user=personas.learner, purpose="public_profile")
    assert consent.is_granted
    assert consent.notice_version == settings.PRIVACY_NOTICE_VERSION

    client.logout()
    page = client.get(reverse("public_profile", args=[public.slug]))
    body = page.content.decode()
    assert page.status_code == 200
    assert first.title in body
    assert second.title not in body
    assert page["X-Robots-Tag"] == "noindex"


def test_new_link_stops_the_old_one(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("public_profile_settings"), {"is_enabled": "on"})
    old = PublicProfile.objects.get().slug
    client.post(reverse("public_profile_settings"), {"new_link": "1"})
    new = PublicProfile.objects.get().slug

    assert new != old
    assert client.get(reverse("public_profile", args=[old])).status_code == 404
    assert client.get(reverse("public_profile", args=[new])).status_code == 200


def test_the_share_link_shown_is_at_the_site_address(client, personas, settings) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"
    client.force_login(personas.learner)
    client.post(reverse("public_profile_settings"), {"is_enabled": "on"})
    slug = PublicProfile.objects.get().slug

    page = client.get(reverse("public_profile_settings")).content.decode()

    assert f">https://hoctap.gov.vn/p/{slug}/</a>" in page
    assert "testserver" not in page


def test_switching_the_public_profile_off_hides_it(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("public_profile_settings"), {"is_enabled": "on"})
    slug = PublicProfile.objects.get().slug
    client.post(reverse("public_profile_settings"), {})
    assert client.get(reverse("public_profile", args=[slug])).status_code == 404


def test_withdrawing_public_consent_on_privacy_page_hides_the_profile(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("public_profile_settings"), {"is_enabled": "on"})
    slug = PublicProfile.objects.get().slug
    client.post(reverse("consents_update"), {})
    assert client.get(reverse("public_profile", args=[slug])).status_code == 404
    assert PublicProfile.objects.get().is_enabled is False


def test_another_citizens_record_cannot_be_published(client, personas) -> None:
    (foreign,) = learning_records_bulk(personas.other_learner, 1)
    client.force_login(personas.learner)
    response = client.post(
        reverse("public_profile_settings"),
        {"is_enabled": "on", "records": [str(foreign.public_id)]},
    )
    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.is_public is False


def test_withdrawn_self_report_is_marked_not_deleted(client, personas) -> None:
    client.force_login(personas.learner)
    _self_report(client)
    record = LearningRecord.objects.get()
    client.post(reverse("learning_record_withdraw", args=[record.public_id]))
    record.refresh_from_db()
    assert record.revoked_at is not None

    client.force_login(personas.other_learner)
    assert client.get(reverse("learning_record", args=[record.public_id])).status_code == 404
    assert (
        client.post(reverse("learning_record_withdraw", args=[record.public_id])).status_code == 404
    )


def test_asking_an_unapproved_organization_to_verify_is_refused(client, personas) -> None:
    organization = MembershipFactory(organization__is_approved=False).organization
    client.force_login(personas.learner)
    response = _self_report(client, verifier_organization=str(organization.public_id))
    assert response.status_code == 200
    assert not LearningRecord.objects.exists()
