"""Center staff mark a roster on a tablet that loses the network; the marks arrive once."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import AttendanceChange, AttendanceMark
from courses.tests.factories import class_make
from profiles.tests.factories import with_mfa


@pytest.fixture
def tablet(browser: object):
    context = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True)  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_offline_roster_marks_reach_the_server_once_when_the_tablet_is_back_online(
    live_server, personas, tablet
) -> None:
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=6)
    with_mfa(personas.center_staff)
    client = Client()
    client.force_login(personas.center_staff)
    tablet.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    tablet.goto(live_server.url + reverse("session_roster", args=[klass.current.public_id]))
    assert tablet.evaluate("navigator.serviceWorker.ready.then(() => true)")

    tablet.context.set_offline(True)
    absent = klass.enrollments[2]
    for enrollment in klass.enrollments:
        status = "absent" if enrollment == absent else "present"
        tablet.locator(f'input[name="status-{enrollment.public_id}"][value="{status}"]').check()
    tablet.get_by_role("button", name="Lưu điểm danh").click()

    assert "Mất mạng" in tablet.locator("#sync-status").inner_text()
    assert (
        tablet.evaluate("JSON.parse(localStorage.getItem('learnprofile.attendance.queue')).length")
        == 6
    )
    assert AttendanceMark.objects.count() == 0

    tablet.context.set_offline(False)
    tablet.wait_for_function(
        "JSON.parse(localStorage.getItem('learnprofile.attendance.queue') || '[]').length === 0",
        timeout=30_000,
    )

    assert "Đã gửi 6 điểm danh" in tablet.locator("#sync-status").inner_text()
    marks = AttendanceMark.objects.filter(session=klass.current)
    assert marks.count() == 6
    assert dict(marks.values_list("enrollment_id", "status")) == {
        e.pk: ("absent" if e == absent else "present") for e in klass.enrollments
    }
    assert AttendanceChange.objects.filter(source="offline").count() == 6
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 800
