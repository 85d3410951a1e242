"""The notice outbox: once per (kind, object, person, channel), checked again at send time,
through a real SMTP server; one-click unsubscribe without login; quiet hours for SMS."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from learnprofile.jobs.models import Job
from learnprofile.jobs.services import job_run
from notices import api, data
from notices.channels import RecordingBackend
from notices.models import Notification
from notices.services import outbox, preferences, sending
from notices.tests.people import consent_set
from profiles.tests.factories import UserFactory
from tests.helpers import mail_bodies, mail_subject

pytestmark = pytest.mark.django_db

LEFT_THE_CLASS: set[str] = set()
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _render(notice: data.NoticeData) -> data.Message:
    from django.utils.translation import gettext as _

    return data.Message(
        subject=_("Nhắc lịch buổi học") + f": {notice.context['course']}",
        text=f"{notice.context['course']} — {notice.context['when']}",
    )


def _still_enrolled(notices) -> dict[int, str]:
    return {
        notice.id: "no longer enrolled" for notice in notices if notice.object_ref in LEFT_THE_CLASS
    }


@pytest.fixture(autouse=True)
def reminder_kind() -> Iterator[None]:
    saved = (dict(outbox._renderers), dict(outbox._checks))
    outbox.notice_kind_register("session_reminder", render=_render, applies=_still_enrolled)
    LEFT_THE_CLASS.clear()
    RecordingBackend.outbox.clear()
    yield
    outbox._renderers.clear()
    outbox._renderers.update(saved[0])
    outbox._checks.clear()
    outbox._checks.update(saved[1])


def _learner(language: str = "vi", phone: str = ""):
    user = UserFactory(preferred_language=language)
    consent_set(actor=user, purpose="learning_reminders", is_granted=True)
    if phone:
        user.citizen_profile.phone = phone
        user.citizen_profile.save(update_fields=["phone"])
    return user


def _remind(user, *, session: str = "session:1", channel: str = "email") -> Notification:
    """As another app asks: through notices.api."""
    public_id = api.notice_enqueue_on_commit(
        kind="session_reminder",
        recipient_id=user.pk,
        object_ref=session,
        context={"course": "Tin học cơ bản", "when": "14:00 thứ Hai"},
        channel=channel,
    )
    return Notification.objects.get(public_id=public_id)


def _job(notification: Notification) -> Job:
    return Job.objects.get(kind=outbox.SEND, payload__ids__contains=notification.pk)


def test_a_reminder_asked_for_and_delivered_twice_sends_one_email(inbox) -> None:
    learner = _learner()
    first = _remind(learner)
    again = _remind(learner)
    job = _job(first)

    assert again.pk == first.pk
    assert Job.objects.filter(kind=outbox.SEND).count() == 1
    assert job_run(job_id=job.id) == "done"
    assert job_run(job_id=job.id) == "skipped"  # the same message delivered twice
    assert sending.notifications_send(ids=[first.pk]) == {}  # already sent: nothing to do

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert mail_subject(message) == "Nhắc lịch buổi học: Tin học cơ bản"
    assert message["List-Unsubscribe"].strip().startswith("<https://hoctap.gov.vn/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    bodies = mail_bodies(message)
    assert "Tin học cơ bản — 14:00 thứ Hai" in bodies["text/plain"]
    assert (
        "Ngừng nhận loại thông báo này: https://hoctap.gov.vn/unsubscribe/" in bodies["text/plain"]
    )
    assert '<html lang="vi">' in bodies["text/html"]
    assert "<p>Tin học cơ bản — 14:00 thứ Hai</p>" in bodies["text/html"]


def test_the_reminder_is_in_the_learners_language(inbox) -> None:
    learner = _learner(language="en")
    job_run(job_id=_job(_remind(learner)).id)

    assert mail_subject(inbox.messages[0]) == "Class reminder: Tin học cơ bản"


def test_a_learner_who_left_before_the_send_time_gets_nothing(inbox) -> None:
    learner = _learner()
    notification = _remind(learner, session="session:7")
    LEFT_THE_CLASS.add("session:7")

    job_run(job_id=_job(notification).id)

    notification.refresh_from_db()
    assert (notification.status, notification.reason) == ("skipped", "no longer enrolled")
    assert inbox.messages == []


def test_without_consent_a_reminder_is_not_sent(inbox) -> None:
    learner = _learner()
    consent_set(actor=learner, purpose="learning_reminders", is_granted=False)

    notification = _remind(learner)
    job_run(job_id=_job(notification).id)

    notification.refresh_from_db()
    assert notification.status == "skipped"
    assert inbox.messages == []


def test_one_click_unsubscribe_works_without_login_once_and_cannot_be_forged(inbox) -> None:
    learner, other = _learner(), _learner()
    job_run(job_id=_job(_remind(learner, session="session:1")).id)
    link = inbox.messages[0]["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("https://hoctap.gov.vn")
    token = path.split("/")[2]
    anonymous = Client()

    page = anonymous.get(path)
    first = anonymous.post(path)
    second = anonymous.post(path)
    forged = anonymous.post(f"/unsubscribe/{token[:-2]}xx/")
    swapped = preferences.unsubscribe_token(
        user_public_id=other.public_id, kind="session_reminder", channel="email"
    )
    tampered = anonymous.post(
        "/unsubscribe/" + token.split(":")[0] + ":" + swapped.split(":", 1)[1] + "/"
    )

    assert page.status_code == 200
    assert "Ngừng nhận “Nhắc lịch buổi học” qua Email?" in page.content.decode()
    assert "Bạn sẽ không nhận “Nhắc lịch buổi học” qua Email nữa." in first.content.decode()
    assert "từ trước" in second.content.decode()
    assert forged.status_code == 404
    assert tampered.status_code == 404
    # The next reminder of that kind is not sent to this learner; the other one still gets it.
    reminder = _remind(learner, session="session:2")
    job_run(job_id=_job(reminder).id)
    job_run(job_id=_job(_remind(other, session="session:2")).id)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == ("skipped", "unsubscribed")
    assert [message["To"] for message in inbox.messages[1:]] == [other.email]


def test_quiet_hours_hold_an_sms_until_morning(settings) -> None:
    learner = _learner(phone="+84912345678")
    notification = _remind(learner, channel="sms")
    night = datetime(2026, 11, 23, 22, 30, tzinfo=LOCAL)

    counts = sending.notifications_send(ids=[notification.pk], now=night)

    notification.refresh_from_db()
    assert counts["held"] == 1
    assert notification.status == "pending"
    assert notification.send_after == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL)
    assert (notification.attempts, notification.dispatched_at) == (0, None)
    assert RecordingBackend.outbox == []
    morning = night + timedelta(hours=9)
    assert sending.notifications_send(ids=[notification.pk], now=morning)["sent"] == 1
    assert RecordingBackend.outbox[0]["to"] == "+84912345678"
    assert "Tin học cơ bản" in RecordingBackend.outbox[0]["text"]


def test_a_held_sms_goes_back_to_the_dispatcher_which_sends_it_when_due(settings) -> None:
    learner = _learner(phone="+84912345678")
    notification = _remind(learner, channel="sms")
    settings.NOTICE_QUIET_HOURS = ("23:59:59", "23:59:59")  # quiet all day but one second

    assert job_run(job_id=_job(notification).id) == "done"
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert outbox.notifications_dispatch()["dispatched"] == 0  # not due yet

    morning = notification.send_after + timedelta(seconds=1)
    assert outbox.notifications_dispatch(now=morning)["dispatched"] == 1
    later_job = Job.objects.filter(kind=outbox.SEND).order_by("-created_at").first()
    assert later_job.payload == {"ids": [notification.pk]}
    settings.NOTICE_QUIET_HOURS = ("21:00", "07:00")
    sending.notifications_send(ids=later_job.payload["ids"], now=morning.replace(hour=9))
    assert len(RecordingBackend.outbox) == 1


def test_a_person_chooses_their_notices_and_the_choice_holds_at_send_time(inbox) -> None:
    learner = _learner()
    client = Client()
    client.force_login(learner)
    url = reverse("notice_preferences")

    page = client.get(url).content.decode()
    everything_but_email_reminders = {
        f"{kind}-{channel}": "on"
        for kind in ("session_reminder", "broadcast", "credential_issued")
        for channel in ("email", "sms", "zalo")
        if (kind, channel) != ("session_reminder", "email")
    }
    response = client.post(url, everything_but_email_reminders)

    assert 'id="id_session_reminder-email"' in page
    assert "Nhắc lịch buổi học" in page
    assert response.status_code == 302
    again = client.get(url).content.decode()
    assert (
        'id="id_session_reminder-email"\n                   name="session_reminder-email"\n                   checked'
        not in again
    )
    assert preferences.preferences_get(user=learner) >= {("session_reminder", "email")}
    assert ("session_reminder", "sms") not in preferences.preferences_get(user=learner)
    reminder = _remind(learner)
    job_run(job_id=_job(reminder).id)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == ("skipped", "unsubscribed")
    assert inbox.messages == []


def test_the_preferences_page_needs_a_sign_in(db) -> None:
    response = Client().get(reverse("notice_preferences"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_notice_that_cannot_be_worded_fails_alone_and_the_chunk_goes_on(inbox) -> None:
    def broken(notice):
        return data.Message(subject=notice.context["missing"], text="")

    outbox.notice_kind_register("session_changed", render=broken)
    learner = _learner()
    good = _remind(learner)
    bad = Notification.objects.get(
        public_id=api.notice_enqueue_on_commit(
            kind="session_changed", recipient_id=learner.pk, object_ref="session:9"
        )
    )

    counts = sending.notifications_send(ids=[bad.pk, good.pk])

    bad.refresh_from_db()
    good.refresh_from_db()
    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert (bad.status, bad.reason) == ("failed", "cannot be worded: KeyError: 'missing'")
    assert good.status == "sent"
    assert len(inbox.messages) == 1


def test_a_check_that_breaks_gives_the_chunk_back_for_the_retry(inbox) -> None:
    def broken(notices):
        raise RuntimeError("the courses database is away")

    outbox.notice_kind_register("session_reminder", render=_render, applies=broken)
    notification = _remind(_learner())

    assert job_run(job_id=_job(notification).id) == "pending"  # the job will retry

    notification.refresh_from_db()
    assert (notification.status, notification.claimed_at) == ("pending", None)
    assert inbox.messages == []
