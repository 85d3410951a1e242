"""Session times: an end earlier than the start is the next day (a class from 21:00 to 00:30),
up to 12 hours, on every form that takes them; pages say "(hôm sau)"."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment, Session
from courses.tests.factories import course_make, offering_make
from learnprofile.formatting import PEOPLE_TIME_ZONE, end_time_for_people
from profiles.tests.factories import UserFactory, with_mfa
from tests.helpers import mail_bodies, notices_send_due

RULE = "Một buổi học dài tối đa 12 giờ."


@pytest.fixture
def center(personas):
    return personas.center_manager.memberships.get().organization


@pytest.fixture
def manager_client(client, personas, center):
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    return client


@pytest.fixture
def draft(center):
    return offering_make(course_make(center), status="draft")


def _first_saturday() -> date:
    day = timezone.localdate() + timedelta(days=10)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(PEOPLE_TIME_ZONE)


def _weekly(first_day: date, starts_at: str, ends_at: str) -> dict[str, object]:
    return {
        "weekdays": ["5"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "first_day": first_day.isoformat(),
        "weeks": "2",
    }


def test_a_weekly_class_from_21_00_to_00_30_ends_the_next_day(manager_client, draft) -> None:
    saturday = _first_saturday()

    response = manager_client.post(
        reverse("sessions_add", args=[draft.public_id]), _weekly(saturday, "21:00", "00:30")
    )

    assert response.status_code == 302
    spans = [
        (_local(session.starts_at), _local(session.ends_at))
        for session in Session.objects.filter(offering=draft).order_by("starts_at")
    ]
    assert [(start.date(), start.time()) for start, _end in spans] == [
        (saturday, time(21, 0)),
        (saturday + timedelta(days=7), time(21, 0)),
    ]
    assert [(end.date(), end.time()) for _start, end in spans] == [
        (saturday + timedelta(days=1), time(0, 30)),
        (saturday + timedelta(days=8), time(0, 30)),
    ]


def test_the_manager_page_shows_a_session_past_midnight_ending_the_next_day(
    manager_client, draft
) -> None:
    manager_client.post(
        reverse("sessions_add", args=[draft.public_id]),
        _weekly(_first_saturday(), "21:00", "00:30"),
    )

    page = manager_client.get(reverse("manage_offering", args=[draft.public_id])).content.decode()

    assert "00:30 (hôm sau)" in page


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "message"),
    [
        ("08:00", "20:30", RULE),
        ("21:00", "09:01", RULE),
        ("19:00", "19:00", "Giờ kết thúc phải khác giờ bắt đầu."),
    ],
)
def test_a_session_longer_than_12_hours_or_of_no_length_is_refused_and_nothing_is_written(
    manager_client, draft, starts_at, ends_at, message
) -> None:
    response = manager_client.post(
        reverse("sessions_add", args=[draft.public_id]),
        _weekly(_first_saturday(), starts_at, ends_at),
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "Giờ kết thúc phải sau giờ bắt đầu" not in page
    assert not Session.objects.filter(offering=draft).exists()


def test_a_session_moved_to_21_00_00_30_ends_the_next_day(manager_client, center) -> None:
    offering = offering_make(course_make(center))
    first = timezone.localtime() + timedelta(days=3)
    session = Session.objects.create(
        offering=offering, starts_at=first, ends_at=first + timedelta(hours=2)
    )
    day = timezone.localdate() + timedelta(days=10)

    response = manager_client.post(
        reverse("session_change", args=[session.public_id]),
        {"action": "move", "day": day.isoformat(), "starts_at": "21:00", "ends_at": "00:30"},
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (_local(session.starts_at).date(), _local(session.starts_at).time()) == (
        day,
        time(21, 0),
    )
    assert (_local(session.ends_at).date(), _local(session.ends_at).time()) == (
        day + timedelta(days=1),
        time(0, 30),
    )


def test_a_session_moved_to_last_13_hours_is_refused_with_the_rule(manager_client, center) -> None:
    offering = offering_make(course_make(center))
    first = timezone.localtime().replace(microsecond=0) + timedelta(days=3)
    session = Session.objects.create(
        offering=offering, starts_at=first, ends_at=first + timedelta(hours=2)
    )
    day = timezone.localdate() + timedelta(days=10)

    response = manager_client.post(
        reverse("session_change", args=[session.public_id]),
        {"action": "move", "day": day.isoformat(), "starts_at": "07:00", "ends_at": "20:00"},
    )

    assert response.status_code == 422
    assert RULE in response.content.decode()
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (first, first + timedelta(hours=2))


def test_the_database_refuses_a_session_longer_than_12_hours(center) -> None:
    offering = offering_make(course_make(center))
    start = timezone.now() + timedelta(days=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            offering=offering, starts_at=start, ends_at=start + timedelta(hours=12, minutes=1)
        )


def test_an_end_time_on_a_later_day_is_shown_with_next_day_and_the_same_day_without() -> None:
    start = datetime(2026, 12, 5, 21, 0, tzinfo=PEOPLE_TIME_ZONE)

    assert end_time_for_people(start + timedelta(hours=3, minutes=30), start) == "00:30 (hôm sau)"
    assert end_time_for_people(start + timedelta(hours=2), start) == "23:00"


def test_weekly_sessions_from_a_day_already_past_are_refused(manager_client, draft) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)

    response = manager_client.post(
        reverse("sessions_add", args=[draft.public_id]),
        {**_weekly(yesterday, "19:00", "21:00"), "weekdays": [str(yesterday.weekday())]},
    )

    assert response.status_code == 422
    assert "Ngày bắt đầu lịch học đã qua." in response.content.decode()
    assert not Session.objects.filter(offering=draft).exists()


def test_weekly_sessions_past_the_class_dates_are_refused_naming_the_first_outside(
    manager_client, draft
) -> None:
    last_saturday = draft.ends_on - timedelta(days=(draft.ends_on.weekday() - 5) % 7)

    response = manager_client.post(
        reverse("sessions_add", args=[draft.public_id]),
        _weekly(last_saturday, "19:00", "21:00"),
    )

    page = response.content.decode()
    assert response.status_code == 422
    outside = last_saturday + timedelta(days=7)
    assert f"buổi ngày {outside:%d/%m/%Y} nằm ngoài" in page
    assert not Session.objects.filter(offering=draft).exists()


def test_the_moved_session_email_gives_the_new_end_the_next_day(
    manager_client, center, inbox
) -> None:
    offering = offering_make(course_make(center))
    Enrollment.objects.create(offering=offering, learner=UserFactory(), status="active")
    first = timezone.localtime().replace(microsecond=0) + timedelta(days=3)
    session = Session.objects.create(
        offering=offering, starts_at=first, ends_at=first + timedelta(hours=2)
    )
    day = timezone.localdate() + timedelta(days=10)
    manager_client.post(
        reverse("session_change", args=[session.public_id]),
        {"action": "move", "day": day.isoformat(), "starts_at": "21:00", "ends_at": "00:30"},
    )

    notices_send_due()

    assert len(inbox.messages) == 1
    text = mail_bodies(inbox.messages[0])["text/plain"]
    assert "21:00\u201300:30 (hôm sau)" in text


def _ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


def test_the_session_page_has_each_id_once_and_every_label_points_at_a_field(
    manager_client, center
) -> None:
    offering = offering_make(course_make(center))
    first = timezone.localtime().replace(microsecond=0) + timedelta(days=3)
    session = Session.objects.create(
        offering=offering, starts_at=first, ends_at=first + timedelta(hours=2)
    )

    page = manager_client.get(reverse("session_change", args=[session.public_id])).content.decode()

    ids = _ids(page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert [f for f in re.findall(r'<label for="([^"]*)"', page) if f not in ids] == []


def test_the_weekday_choices_are_a_group_with_a_legend_not_an_empty_label(
    manager_client, draft
) -> None:
    page = manager_client.get(reverse("manage_offering", args=[draft.public_id])).content.decode()

    assert '<label for="">' not in page
    assert "<legend>Các ngày trong tuần" in page


def test_a_session_moved_past_the_class_end_is_refused_and_unchanged(
    manager_client, center
) -> None:
    offering = offering_make(course_make(center))
    first = timezone.localtime().replace(microsecond=0) + timedelta(days=8)
    session = Session.objects.create(
        offering=offering, starts_at=first, ends_at=first + timedelta(hours=2)
    )
    day = offering.ends_on + timedelta(days=1)

    response = manager_client.post(
        reverse("session_change", args=[session.public_id]),
        {"action": "move", "day": day.isoformat(), "starts_at": "09:00", "ends_at": "10:00"},
    )

    assert response.status_code == 422
    assert f"buổi ngày {day:%d/%m/%Y} nằm ngoài" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == first


def test_a_weekly_session_earlier_today_that_is_over_is_refused(center, personas) -> None:
    from django.core.exceptions import ValidationError

    from courses.services.sessions import Recurrence, sessions_add_recurring

    today = timezone.localdate()
    offering = offering_make(course_make(center), starts_on=today, status="draft")
    recurrence = Recurrence(  # today at midnight: always over once today has begun
        weekdays=frozenset({today.weekday()}),
        starts_at=time(0, 0),
        ends_at=time(0, 30),
        first_day=today,
        weeks=1,
    )

    with pytest.raises(ValidationError) as refused:
        sessions_add_recurring(
            actor=personas.center_manager, offering=offering, recurrence=recurrence
        )

    assert "đã qua" in refused.value.message_dict["first_day"][0]
    assert not Session.objects.filter(offering=offering).exists()
