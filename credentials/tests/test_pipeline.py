"""Issuance through the durable job pipeline: the sweep queues each completion once, a worker
issues exactly once, and a refusal is kept with its reason."""

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from courses.tests.factories import class_close, class_make
from credentials.models import Achievement, Credential, Issuance
from credentials.services import pipeline, revocation
from learnprofile.jobs.models import Job
from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(completed_class):
    return completed_class


def test_the_sweep_queues_each_completer_once_and_the_worker_issues_once(world) -> None:
    klass, achievement = world

    first = pipeline.credentials_sweep()
    second = pipeline.credentials_sweep()
    run_pending_jobs()
    run_pending_jobs()
    third = pipeline.credentials_sweep()

    assert (first, second, third) == (2, 0, 0)
    issued = Credential.objects.filter(achievement=achievement)
    assert sorted(issued.values_list("learner_id", flat=True)) == sorted(
        e.learner_id for e in klass.enrollments[:2]
    )
    assert Job.objects.filter(kind=pipeline.ISSUE, status="done").count() == 2
    assert sorted(Issuance.objects.values_list("status", flat=True)) == ["issued", "issued"]
    assert all(i.credential_id is not None for i in Issuance.objects.all())


def test_a_revoked_credential_is_not_issued_again_by_the_sweep(world, personas) -> None:
    _klass, _achievement = world
    pipeline.credentials_sweep()
    run_pending_jobs()
    revoked = Credential.objects.first()
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=revoked.public_id, reason="Cấp nhầm"
    )

    assert pipeline.credentials_sweep() == 0
    assert Credential.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_refused_issuance_is_kept_with_its_reason_and_can_be_resubmitted(world) -> None:
    klass, achievement = world
    dropout = klass.enrollments[2]
    pipeline.automatic_request([(achievement, dropout.learner_id, klass.offering.public_id)])

    run_pending_jobs()

    refused = Issuance.objects.get()
    assert refused.status == "refused"
    assert "chưa hoàn thành" in refused.reason
    assert Job.objects.get(kind=pipeline.ISSUE).status == "done"
    assert not Credential.objects.exists()

    # Later the center corrects the result: a resubmission issues it.
    Enrollment = apps.get_model("courses", "Enrollment")
    Enrollment.objects.filter(pk=dropout.pk).update(completion="completed")
    assert pipeline.issuances_resubmit(stuck_for=timedelta(minutes=30)) == 0
    output = io.StringIO()
    call_command("credentials_resubmit", "--refused", stdout=output)
    assert output.getvalue().strip() == "1 issuance request(s) resubmitted."
    run_pending_jobs()

    refused.refresh_from_db()
    assert (refused.status, refused.reason) == ("issued", "")
    assert Credential.objects.get().learner_id == dropout.learner_id


def test_a_stuck_issuance_whose_job_failed_is_resubmitted(world) -> None:
    klass, achievement = world
    completer = klass.enrollments[0]
    pipeline.automatic_request([(achievement, completer.learner_id, klass.offering.public_id)])
    Job.objects.filter(kind=pipeline.ISSUE).update(status="failed", last_error="Worker lost")
    Issuance.objects.update(created_at=timezone.now() - timedelta(hours=1))

    assert pipeline.issuances_resubmit(stuck_for=timedelta(minutes=30)) == 1
    run_pending_jobs()

    assert Issuance.objects.get().status == "issued"
    assert Credential.objects.count() == 1
    # A job on its way is left to the reconciler.
    pipeline.automatic_request([(achievement, klass.enrollments[1].learner_id, None)])
    Issuance.objects.filter(status="pending").update(created_at=timezone.now() - timedelta(hours=1))
    assert pipeline.issuances_resubmit(stuck_for=timedelta(minutes=30)) == 0


def test_closing_an_offering_queues_the_completers_issuance_on_commit(
    personas, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=2, sessions=1)
    Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành",
        description_vi="Hoàn thành khóa học.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
    )

    with django_capture_on_commit_callbacks(execute=True):
        class_close(klass, actor=personas.center_staff, absent=frozenset({1}))
    run_pending_jobs()

    assert list(Credential.objects.values_list("learner_id", flat=True)) == [
        klass.enrollments[0].learner_id
    ]
    assert pipeline.credentials_sweep() == 0


def test_the_sweep_looks_only_at_recent_completions(world) -> None:
    klass, _achievement = world
    Enrollment = apps.get_model("courses", "Enrollment")
    Enrollment.objects.filter(offering=klass.offering).update(
        completed_at=timezone.now() - pipeline.SWEEP_WINDOW - timedelta(days=1)
    )

    assert pipeline.credentials_sweep() == 0


def test_the_resubmit_command_refuses_bad_arguments(db) -> None:
    with pytest.raises(CommandError, match="Not a batch id"):
        call_command("credentials_resubmit", "--batch", "nope")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("credentials_resubmit", "--stuck-minutes", "0")


def test_the_learner_is_told_with_the_verification_link_unless_it_was_revoked_since(
    world, personas
) -> None:
    from django.core import mail

    klass, achievement = world
    first, second = klass.enrollments[:2]
    pipeline.automatic_request(
        [
            (achievement, first.learner_id, klass.offering.public_id),
            (achievement, second.learner_id, klass.offering.public_id),
        ]
    )
    run_pending_jobs()  # the issuances; each writes its notice in its own transaction
    kept = Credential.objects.get(learner_id=first.learner_id)
    revoked = Credential.objects.get(learner_id=second.learner_id)
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=revoked.public_id, reason="Cấp nhầm"
    )
    mail.outbox.clear()

    run_pending_jobs()  # the notices
    run_pending_jobs()

    Notification = apps.get_model("notices", "Notification")
    assert Notification.objects.get(object_ref=f"credential:{kept.public_id}").status == "sent"
    skipped = Notification.objects.get(object_ref=f"credential:{revoked.public_id}")
    assert (skipped.status, skipped.reason) == ("skipped", "credential revoked")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Bạn được cấp chứng chỉ: Chứng nhận hoàn thành: Tin học cơ bản"
    assert f"https://hoctap.gov.vn/credentials/{kept.public_id}" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://hoctap.gov.vn/")


def test_resubmitting_costs_the_same_queries_for_one_request_or_many(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    klass, achievement = world

    def queries(enrollments) -> int:
        Issuance.objects.all().delete()
        for enrollment in enrollments:
            Issuance.objects.create(
                achievement=achievement,
                learner_id=enrollment.learner_id,
                offering_id=klass.offering.public_id,
                status="refused",
                reason="Chưa hoàn thành",
            )
        with CaptureQueriesContext(connection) as captured:
            resubmitted = pipeline.issuances_resubmit(stuck_for=timedelta(minutes=30), refused=True)
        assert resubmitted == len(enrollments)
        return len(captured.captured_queries)

    assert queries(klass.enrollments[:1]) == queries(klass.enrollments)


def test_a_credential_expiring_in_30_days_is_announced_once_with_the_next_class_near_home(
    world, personas, inbox
) -> None:
    from courses.tests.factories import offering_make
    from credentials import notices
    from tests.helpers import mail_bodies, mail_subject, notices_send_due

    klass, achievement = world
    first, second = klass.enrollments[:2]
    pipeline.automatic_request(
        [
            (achievement, first.learner_id, klass.offering.public_id),
            (achievement, second.learner_id, klass.offering.public_id),
        ]
    )
    run_pending_jobs()
    for consenting in (first.learner, second.learner):
        apps.get_model("profiles", "ConsentRecord").objects.create(
            user=consenting, purpose="learning_reminders", is_granted=True, notice_version="1"
        )
    now = timezone.now()
    Credential.objects.update(valid_until=now + timedelta(days=30, hours=3))
    revoked = Credential.objects.get(learner_id=second.learner_id)
    next_class = offering_make(klass.offering.course, venue="Nhà văn hóa thôn Đông")
    apps.get_model("notices", "Notification").objects.all().delete()

    assert notices.credentials_expiring_plan(now=now) == 2
    assert notices.credentials_expiring_plan(now=now + timedelta(days=1)) == 0
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=revoked.public_id, reason="Cấp nhầm"
    )
    notices_send_due()

    [message] = inbox.messages
    text = mail_bodies(message)["text/plain"]
    assert message["To"] == first.learner.email
    assert mail_subject(message) == "Chứng chỉ sắp hết hạn: Chứng nhận hoàn thành: Tin học cơ bản"
    assert "hết hạn ngày " in text
    assert "Nhà văn hóa thôn Đông" in text
    assert f"/courses/{next_class.course.public_id}" in text
    skipped = apps.get_model("notices", "Notification").objects.get(recipient=second.learner)
    assert (skipped.status, skipped.reason) == ("skipped", "credential revoked or expired")
