"""One signed plan, one batch (issue 18, finding 6): confirming the same preview twice (a
second click, the back button, a replayed form) leads to the batch the first confirmation
made, with a message; no second batch, no second audit row."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from credentials.models import Issuance, IssuanceBatch
from credentials.services import batches
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Đã dự đủ các buổi tập huấn tại xã ngày 12/10 nhưng chưa có trên hệ thống"
REPLAYED = "Đợt cấp này đã được gửi trước đó nên không tạo thêm đợt mới; đây là đợt cấp đã tạo."


def _plan(client: Client, achievement, contact: str) -> str:
    response = client.post(
        reverse("issue_preview", args=[achievement.public_id]),
        {"mode": "one", "contact": contact, "offering": ""},
    )
    match = re.search(r'name="plan" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def _confirm(client: Client, achievement, plan: str):
    return client.post(
        reverse("issue_confirm", args=[achievement.public_id]),
        {"plan": plan, "reason": REASON, "confirm_reason": "on"},
    )


def test_confirming_the_same_plan_twice_leads_to_the_first_batch(
    issuer_world, issuer_client
) -> None:
    _klass, achievement = issuer_world
    stranger = UserFactory(email="lan.nguyen@example.vn")
    plan = _plan(issuer_client, achievement, stranger.email)
    first = _confirm(issuer_client, achievement, plan)

    second = _confirm(issuer_client, achievement, plan)

    batch = IssuanceBatch.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("issuer_batch", args=[batch.public_id])
    )
    assert [str(m) for m in get_messages(second.wsgi_request)] == [REPLAYED]
    assert Issuance.objects.count() == 1
    assert AuditEvent.objects.filter(action="credential.batch_requested").count() == 1
    assert AuditEvent.objects.filter(action="credential.issue_without_class_requested").count() == 1


def test_a_new_preview_of_the_same_learner_makes_a_new_batch(issuer_world, issuer_client) -> None:
    _klass, achievement = issuer_world
    learner = UserFactory(email="lan.nguyen@example.vn")
    _confirm(issuer_client, achievement, _plan(issuer_client, achievement, learner.email))

    response = _confirm(
        issuer_client, achievement, _plan(issuer_client, achievement, learner.email)
    )

    assert response.status_code == 302
    assert IssuanceBatch.objects.count() == 2


def test_the_database_refuses_a_second_batch_of_one_request(issuer_world, personas) -> None:
    _klass, achievement = issuer_world
    learner = UserFactory(email="lan.nguyen@example.vn")
    digest = batches.request_digest("issue-plan", "the same plan")
    first = batches.batch_create(
        actor=personas.issuer_admin,
        achievement=achievement,
        source=IssuanceBatch.Source.SINGLE,
        rows=[(learner.pk, None)],
        reason=REASON,
        reason_confirmed=True,
        request_digest=digest,
    )

    with pytest.raises(batches.BatchAlreadyRequested) as replay, transaction.atomic():
        batches.batch_create(
            actor=personas.issuer_admin,
            achievement=achievement,
            source=IssuanceBatch.Source.SINGLE,
            rows=[(learner.pk, None)],
            reason=REASON,
            reason_confirmed=True,
            request_digest=digest,
        )

    assert replay.value.batch == first
    assert IssuanceBatch.objects.count() == 1
    assert AuditEvent.objects.filter(action="credential.batch_requested").count() == 1
