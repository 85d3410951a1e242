"""Every notice kind is registered at start-up, in its app's ready(), through notices.api."""

from notices.data import NoticeKind
from notices.services import outbox


def test_each_app_registers_its_own_notice_kinds_at_start_up() -> None:
    registered = outbox.notice_kinds_registered()

    assert {kind: render.__module__ for kind, render in registered.items()} == {
        "enrollment_confirmed": "courses.notices",
        "waitlist_promoted": "courses.notices",
        "session_reminder": "courses.notices",
        "session_changed": "courses.notices",
        "low_attendance": "courses.notices",
        "inactivity_nudge": "courses.notices",
        "credential_issued": "credentials.notices",
        "credential_expiring": "credentials.notices",
        "broadcast": "notices.services.broadcasts",
    }
    assert set(registered) == set(NoticeKind.values)
