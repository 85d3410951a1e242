"""An issuer administrator issues a class's credentials from a phone; the learner shares one;
an employer checks it from the link, then sees it revoked. Debian's Chromium, no JavaScript
needed anywhere on the way."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from courses.tests.factories import class_close, class_make
from credentials.models import Achievement, Credential, Issuance
from profiles.tests.factories import with_mfa
from tests.helpers import run_pending_jobs


def _signed_in(page: object, user: object, live_server: object) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(  # type: ignore[attr-defined]
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,  # type: ignore[attr-defined]
            }
        ]
    )


@pytest.mark.browser
@pytest.mark.parametrize("phone", [False], indirect=True, ids=["without-javascript"])
def test_a_class_is_issued_shared_checked_and_revoked(
    live_server, personas, phone, browser, settings
) -> None:
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=3, sessions=2)
    class_close(klass, actor=personas.center_staff, absent=frozenset({2}))
    Issuance.objects.all().delete()
    Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
        hours=Decimal(24),
    )
    with_mfa(personas.issuer_admin)

    # The issuer administrator, on a phone: preview, then issue.
    _signed_in(phone, personas.issuer_admin, live_server)
    phone.goto(live_server.url + reverse("issuer_home"))
    phone.get_by_role("link", name="Chứng nhận hoàn thành: Tin học cơ bản").click()
    phone.get_by_role("region", name="Cho những người hoàn thành một lớp").get_by_role(
        "button", name="Xem trước"
    ).click()
    assert "Sẽ được cấp: 2" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="Cấp 2 chứng chỉ").click()
    assert "Đã xử lý 0/2" in phone.locator("main").inner_text()
    run_pending_jobs()  # what the worker does (tests/test_credential_pipeline.py: a real one)
    phone.reload()
    assert "Đã xử lý 2/2" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The learner finds it and copies the share link.
    learner_page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    _signed_in(learner_page, klass.enrollments[0].learner, live_server)
    learner_page.goto(live_server.url + reverse("my_credentials"))
    share_link = learner_page.get_by_label("Đường dẫn chia sẻ", exact=False).input_value()
    credential = Credential.objects.get(learner=klass.enrollments[0].learner)
    assert share_link == f"https://hoctap.gov.vn/credentials/{credential.public_id}"
    assert learner_page.evaluate("document.documentElement.scrollWidth") <= 360

    # An employer, with no account, opens it.
    employer = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    public_url = live_server.url + reverse("credential_page", args=[credential.public_id])
    employer.goto(public_url)
    assert employer.get_by_role("heading", name="Chứng chỉ hợp lệ").is_visible()
    assert employer.locator("svg").first.is_visible()  # the QR code
    assert employer.evaluate("document.documentElement.scrollWidth") <= 360

    # The issuer revokes it; the employer's next look says so.
    phone.goto(live_server.url + reverse("issuer_credential", args=[credential.public_id]))
    phone.get_by_label("Lý do thu hồi").fill("Cấp nhầm lớp")
    phone.get_by_role("button", name="Thu hồi").click()
    assert "Đã thu hồi chứng chỉ." in phone.locator("main").inner_text()
    employer.goto(public_url)
    assert employer.get_by_role("heading", name="Chứng chỉ đã bị thu hồi").is_visible()
    learner_page.context.close()
    employer.context.close()
