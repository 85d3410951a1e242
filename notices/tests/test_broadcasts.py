"""A regional administrator's broadcast: previewed with its count, queued once, throttled,
reaching exactly the consenting citizens of the area; the national administrators' view of
the outbox, its failures and their retry."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learnprofile.jobs.models import Job
from notices.models import Broadcast, Notification
from notices.services import broadcasts, outbox, sending
from notices.tests.people import consent_set, regional_scopes
from profiles.tests.factories import UserFactory, ward
from tests.helpers import mail_bodies, mail_subject, notices_send_due, run_pending_jobs

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client = Client()
    client.force_login(user)
    return client


def _citizen(ward_codename: str | None, *, news: bool | None = True, language: str = "vi"):
    user = UserFactory(preferred_language=language)
    if ward_codename is not None:
        user.citizen_profile.residence_ward = ward(ward_codename)
        user.citizen_profile.save(update_fields=["residence_ward"])
    if news is not None:
        consent_set(actor=user, purpose="news", is_granted=True)
        if not news:
            consent_set(actor=user, purpose="news", is_granted=False)
    return user


WORDS = {
    "unit": "",
    "channel": "email",
    "subject_vi": "Tuần lễ học tập suốt đời 2026",
    "body_vi": "Mời bà con đến Nhà văn hóa phường dự khai mạc Tuần lễ học tập suốt đời.",
    "subject_en": "Lifelong Learning Week 2026",
    "body_en": "Join the opening of Lifelong Learning Week at the ward's cultural house.",
    "per_minute": "120",
}


def test_a_broadcast_to_one_province_reaches_exactly_its_consenting_citizens(
    personas, inbox
) -> None:
    reached = [
        _citizen("phuong_hoan_kiem"),
        _citizen("phuong_ba_dinh", language="en"),
    ]
    not_reached = [
        _citizen("phuong_hoan_kiem", news=None),  # never asked
        _citizen("phuong_ba_dinh", news=False),  # said yes, then no
        _citizen("phuong_thuan_hoa"),  # another province (Huế)
        _citizen(None),  # no address on file
    ]
    erased = _citizen("phuong_hoan_kiem")
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    admin = personas.regional_admin
    client = _client(admin)
    hanoi = regional_scopes().get(user=admin).unit

    created = client.post(reverse("broadcast_new"), {**WORDS, "unit": hanoi.pk})
    broadcast = Broadcast.objects.get()
    preview = client.get(created["Location"]).content.decode()

    assert created.status_code == 302
    assert "Thông báo sẽ gửi tới 2 người đã đồng ý nhận tin." in preview
    assert "Join the opening of Lifelong Learning Week" in preview
    assert Notification.objects.count() == 0  # the preview sends nothing
    before = timezone.now()
    client.post(reverse("broadcast_send", args=[broadcast.public_id]))
    client.post(reverse("broadcast_send", args=[broadcast.public_id]))  # a double click
    assert run_pending_jobs() == 1  # one job writes the rows

    rows = Notification.objects.filter(kind="broadcast").order_by("send_after")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(u.pk for u in reached)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipient_count) == ("queued", 2)
    # Throttled: 120 a minute, half a second apart.
    gap = rows[1].send_after - rows[0].send_after
    assert gap == timedelta(seconds=0.5)
    assert rows[0].send_after >= before

    notices_send_due(now=timezone.now() + timedelta(seconds=1))

    assert sorted(message["To"] for message in inbox.messages) == sorted(u.email for u in reached)
    assert inbox.sessions == 1  # one SMTP connection for the chunk
    assert {u.email for u in [*not_reached, erased]}.isdisjoint(m["To"] for m in inbox.messages)
    by_address = {message["To"]: message for message in inbox.messages}
    vietnamese, english = by_address[reached[0].email], by_address[reached[1].email]
    assert mail_subject(vietnamese) == "Tuần lễ học tập suốt đời 2026"
    assert "Mời bà con đến Nhà văn hóa phường" in mail_bodies(vietnamese)["text/plain"]
    assert "Nhà văn hóa phường" in mail_bodies(vietnamese)["text/html"]
    assert mail_subject(english) == "Lifelong Learning Week 2026"
    progress = client.get(reverse("broadcast_detail", args=[broadcast.public_id]))
    assert "Tiến độ gửi" in progress.content.decode()


def test_a_ward_broadcast_stays_in_the_ward_and_others_cannot_see_it(personas) -> None:
    inside = _citizen("phuong_hoan_kiem")
    _citizen("phuong_ba_dinh")
    ward_admin = UserFactory()
    regional_scopes().create(user=ward_admin, unit=ward("phuong_hoan_kiem"))
    broadcast = broadcasts.broadcast_create(
        actor=ward_admin,
        unit_id=ward("phuong_hoan_kiem").pk,
        channel="email",
        subject_vi="Lớp học tiếng Anh miễn phí",
        body_vi="Đăng ký tại nhà văn hóa.",
    )
    hue_admin = UserFactory()
    regional_scopes().create(user=hue_admin, unit=ward("phuong_thuan_hoa"))

    assert list(broadcasts.broadcast_audience(broadcast)) == [inside]
    assert (
        _client(hue_admin).get(reverse("broadcast_detail", args=[broadcast.public_id])).status_code
        == 404
    )
    assert _client(personas.learner).get(reverse("broadcast_list")).status_code == 403
    assert (
        _client(personas.regional_admin)
        .get(  # the province's administrator sees it
            reverse("broadcast_detail", args=[broadcast.public_id])
        )
        .status_code
        == 200
    )
    forged = _client(hue_admin).post(
        reverse("broadcast_new"), {**WORDS, "unit": ward("phuong_hoan_kiem").pk}
    )
    assert forged.status_code == 422
    assert Broadcast.objects.count() == 1


def test_half_an_english_translation_is_refused_in_the_users_language(personas) -> None:
    client = _client(personas.regional_admin)
    hanoi = regional_scopes().get(user=personas.regional_admin).unit

    response = client.post(reverse("broadcast_new"), {**WORDS, "unit": hanoi.pk, "body_en": ""})

    assert response.status_code == 422
    assert "Hãy viết cả tiêu đề và nội dung tiếng Anh" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_stopping_a_broadcast_skips_what_was_not_sent(personas, inbox) -> None:
    _citizen("phuong_hoan_kiem")
    _citizen("phuong_ba_dinh")
    hanoi = regional_scopes().get(user=personas.regional_admin).unit
    broadcast = broadcasts.broadcast_create(
        actor=personas.regional_admin,
        unit_id=hanoi.pk,
        subject_vi="Khai mạc",
        body_vi="Mời dự.",
        per_minute=10,
    )
    broadcasts.broadcast_queue(actor=personas.regional_admin, broadcast=broadcast)
    run_pending_jobs()
    notices_send_due(now=timezone.now() + timedelta(seconds=1))  # the first is due at once

    assert broadcasts.broadcast_stop(actor=personas.regional_admin, broadcast=broadcast) == 1
    notices_send_due(now=timezone.now() + timedelta(minutes=5))

    assert len(inbox.messages) == 1
    assert broadcasts.broadcast_progress(broadcast) == {"sent": 1, "skipped": 1}


def test_a_refused_address_fails_shows_to_administrators_and_can_be_retried(
    personas, inbox
) -> None:
    citizen = _citizen("phuong_hoan_kiem")
    inbox.refused.add(citizen.email)
    hanoi = regional_scopes().get(user=personas.regional_admin).unit
    broadcast = broadcasts.broadcast_create(
        actor=personas.regional_admin, unit_id=hanoi.pk, subject_vi="Tin", body_vi="Nội dung."
    )
    broadcasts.broadcast_queue(actor=personas.regional_admin, broadcast=broadcast)
    run_pending_jobs()
    notices_send_due()
    failed = Notification.objects.get()
    admin = UserFactory(is_staff=True)
    client = _client(admin)

    page = client.get(reverse("outbox")).content.decode()
    forbidden = _client(personas.regional_admin).get(reverse("outbox"))
    inbox.refused.clear()
    nothing = client.post(reverse("outbox_retry"), {"kind": "no-such-kind"})
    forged = client.post(reverse("outbox_retry"), {"notice": "not-a-uuid"})
    assert Notification.objects.get(pk=failed.pk).status == "failed"
    assert "Đã đưa 0 thông báo" in client.get(nothing["Location"]).content.decode()
    assert forged.status_code == 302
    retried = client.post(reverse("outbox_retry"), {"notice": str(failed.public_id)})
    notices_send_due()

    assert failed.status == "failed"
    assert "recipient refused" in failed.reason
    assert "recipient refused" in page
    assert "Thông báo của địa phương" in page
    assert forbidden.status_code == 404
    assert retried.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [message["To"] for message in inbox.messages] == [citizen.email]


def test_an_unreachable_mail_server_retries_then_fails_with_the_reason(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    settings.NOTICE_MAX_ATTEMPTS = 2
    citizen = _citizen("phuong_hoan_kiem")
    hanoi = ward("phuong_hoan_kiem").parent
    admin = UserFactory()
    regional_scopes().create(user=admin, unit=hanoi)
    broadcast = broadcasts.broadcast_create(
        actor=admin, unit_id=hanoi.pk, subject_vi="Tin", body_vi="Nội dung."
    )
    broadcasts.broadcast_queue(actor=admin, broadcast=broadcast)
    assert broadcasts.broadcast_plan(public_id=broadcast.public_id) == 1

    assert notices_send_due() == ["pending"]  # the job will retry
    row = Notification.objects.get(recipient=citizen)
    assert (row.status, row.attempts) == ("pending", 1)
    with pytest.raises(ConnectionRefusedError):
        sending.notifications_send(ids=[row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert "ConnectionRefusedError" in row.reason
    assert Job.objects.filter(kind=outbox.SEND).count() == 1


def test_a_broadcast_stopped_before_its_rows_were_written_reaches_nobody(personas) -> None:
    _citizen("phuong_hoan_kiem")
    hanoi = regional_scopes().get(user=personas.regional_admin).unit
    broadcast = broadcasts.broadcast_create(
        actor=personas.regional_admin, unit_id=hanoi.pk, subject_vi="Tin", body_vi="Nội dung."
    )
    broadcasts.broadcast_queue(actor=personas.regional_admin, broadcast=broadcast)
    broadcasts.broadcast_stop(actor=personas.regional_admin, broadcast=broadcast)

    run_pending_jobs()

    assert not Notification.objects.exists()
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipient_count) == ("cancelled", None)
