"""Every page of the profile issue, in Vietnamese and English, and a journey without JavaScript."""

import re
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from profiles.models import DataRequest, HouseholdInvitation, LearningRecord, PublicProfile
from profiles.services import households, learning
from profiles.services.privacy.export import data_export_request
from profiles.services.privacy.public_profile import public_profile_update
from profiles.tests.factories import PDF_BYTES, learning_records_bulk

Page = tuple[str, Callable[[object], str], str, str]


@pytest.fixture
def world(personas):
    """A learner with records, a household, a pending verification, a public profile and an
    export; the staff persona with MFA."""
    learner = personas.learner
    learning_records_bulk(learner, 5)
    center = personas.center_staff.memberships.get().organization
    pending = learning.learning_record_self_report(
        actor=learner,
        title="Tự học trồng rau sạch",
        category="agriculture",
        hours=4,
        started_on=None,
        ended_on=None,
        verifier_organization=center,
    )
    households.household_create(actor=learner, name="Nhà An")
    invitation = households.household_invite(actor=learner, email=personas.other_learner.email)
    public_profile_update(actor=learner, is_enabled=True, display_name="An", headline="")
    export = data_export_request(actor=learner)
    Authenticator.objects.create(
        user=personas.center_staff, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    return {
        "record": pending,
        "invitation": invitation,
        "slug": PublicProfile.objects.get(user=learner).slug,
        "export": export,
    }


PAGES: list[tuple[str, str, Callable[[dict], str], str, str]] = [
    ("learner", "my_learning", lambda w: reverse("my_learning"), "Việc học của tôi", "My learning"),
    (
        "learner",
        "add",
        lambda w: reverse("learning_add"),
        "Thêm việc học tự khai",
        "Add learning you did",
    ),
    (
        "learner",
        "goals",
        lambda w: reverse("learning_goals"),
        "Mục tiêu và sở thích",
        "Goals and interests",
    ),
    (
        "learner",
        "public_settings",
        lambda w: reverse("public_profile_settings"),
        "Hồ sơ công khai",
        "Public profile",
    ),
    (
        "learner",
        "record",
        lambda w: reverse("learning_record", args=[w["record"].public_id]),
        "Tự học trồng rau sạch",
        "Asked to verify",
    ),
    (
        "anonymous",
        "public",
        lambda w: reverse("public_profile", args=[w["slug"]]),
        "Người học chưa chọn mục nào",
        "The learner has not chosen",
    ),
    (
        "learner",
        "household",
        lambda w: reverse("household_home"),
        "Gia đình học tập",
        "Learning Family",
    ),
    (
        "other_learner",
        "join",
        lambda w: reverse("household_join", args=[w["invitation"].code]),
        "Bạn được mời tham gia",
        "You are invited to join",
    ),
    ("learner", "privacy", lambda w: reverse("privacy_home"), "Dữ liệu của tôi", "My data"),
    (
        "anonymous",
        "notice",
        lambda w: reverse("privacy_notice"),
        "Thông báo về xử lý dữ liệu cá nhân",
        "Personal data processing notice",
    ),
    (
        "learner",
        "export_gone",
        lambda w: reverse("export_download", args=[w["export"].public_id]),
        "Tệp không còn tải được",
        "can no longer be downloaded",
    ),
    (
        "center_staff",
        "queue",
        lambda w: reverse("verification_queue"),
        "Việc học chờ xác nhận",
        "Learning awaiting verification",
    ),
    (
        "center_staff",
        "decide",
        lambda w: reverse("verification_decide", args=[w["record"].public_id]),
        "Xác nhận việc học",
        "Verify learning",
    ),
    (
        "center_staff",
        "learner",
        lambda w: reverse("learner_summary", args=[w["world_learner"]]),
        "Chỉ xem. Mỗi lần xem",
        "Read only. Every view",
    ),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("persona", "url_for", "vietnamese", "english"),
    [page[:1] + page[2:] for page in PAGES],
    ids=[page[1] for page in PAGES],
)
def test_page_works_in_both_languages(
    personas, world, language, persona, url_for, vietnamese, english
) -> None:
    world["world_learner"] = personas.learner.public_id
    client = Client()
    user = getattr(personas, persona)
    if user.is_authenticated:
        client.force_login(user)
    client.cookies["learnprofile_language"] = language
    response = client.get(url_for(world))
    body = response.content.decode()

    assert response.status_code in (200, 410)
    assert f'<html lang="{language}">' in body
    assert (vietnamese if language == "vi" else english) in body
    if language == "en":
        assert vietnamese not in body or vietnamese == "Tự học trồng rau sạch"
    # Every form posts or gets by itself: no behaviour needs a script.
    assert "onclick" not in body
    assert "onsubmit" not in body


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "phone"), [("vi", False), ("en", False)], ids=["vi", "en"], indirect=["phone"]
)
def test_citizen_records_learning_and_starts_a_family_without_javascript(
    live_server, personas, phone, language, tmp_path
) -> None:
    page = phone
    client = Client()
    client.force_login(personas.learner)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "learnprofile_language", "value": language, "url": live_server.url},
        ]
    )
    text = {
        "vi": (
            "Thêm việc học tự khai",
            "Bạn đã học gì?",
            "Số giờ học",
            "Lưu vào hồ sơ",
            "Tên gia đình",
            "Tạo",
        ),
        "en": (
            "Add learning you did",
            "What did you learn?",
            "Hours of learning",
            "Save to my profile",
            "Family name",
            "Create",
        ),
    }[language]
    evidence = tmp_path / "giay-chung-nhan.pdf"
    evidence.write_bytes(PDF_BYTES)

    page.goto(f"{live_server.url}/learning/")
    page.get_by_role("link", name=text[0]).click()
    page.get_by_label(text[1]).fill("Lớp dân vũ ở nhà văn hóa")
    page.get_by_label(text[2]).fill("12")
    page.locator("input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name=text[3]).click()

    assert page.get_by_role("heading", name="Lớp dân vũ ở nhà văn hóa").is_visible()
    assert page.get_by_role("link", name="giay-chung-nhan.pdf").is_visible()
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert record.evidence.get().content_type == "application/pdf"

    page.goto(f"{live_server.url}/household/")
    page.get_by_label(text[4]).fill("Nhà An")
    page.get_by_role("button", name=text[5], exact=True).click()
    assert page.get_by_role("heading", name="Nhà An").is_visible()
    assert re.search(r"lang=\"(\w+)\"", page.content()).group(1) == language
    assert not HouseholdInvitation.objects.exists()
    assert not DataRequest.objects.exists()
