"""Issuing a credential for a completed course exactly once, refusing with the reason, and
revoking it: the verifier agrees at each step."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from courses import api as courses_api
from courses.tests.factories import class_close, class_make
from credentials.models import Achievement, Credential
from credentials.services import issuance, revocation, status
from credentials.services.verification import key_resolve
from credentials.verify import credential_verify
from learnprofile.errors import NotPermitted

pytestmark = pytest.mark.django_db

# By label: credentials may not import profiles.models.
LearningRecord = apps.get_model("profiles", "LearningRecord")


@pytest.fixture
def world(personas, settings):
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=2, sessions=2)
    completer, dropout = klass.enrollments
    class_close(klass, actor=personas.center_staff, absent=frozenset({1}))
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
        hours=Decimal(24),
        category="digital_skills",
        valid_for_days=365 * 5,
    )
    return {"class": klass, "achievement": achievement, "completer": completer, "dropout": dropout}


def _issue(world, personas, who="completer"):
    return issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=world["achievement"].public_id,
        learner_id=world[who].learner_id,
        offering_id=world["class"].offering.public_id,
    )


def _verdict(credential):
    return credential_verify(
        credential.document, resolve_key=key_resolve, read_status=status.status_bits_read
    ).verdict


def test_a_completer_gets_one_valid_credential_however_often_it_is_issued(world, personas) -> None:
    first, created = _issue(world, personas)
    again, created_again = _issue(world, personas)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Credential.objects.count() == 1
    assert _verdict(first) == "valid"
    subject = first.document["credentialSubject"]
    assert subject["result"][0]["value"] == "100.0"
    assert first.document["validUntil"] > first.document["validFrom"]
    record = LearningRecord.objects.get(source_id=f"credential:{first.public_id}")
    assert (record.kind, record.hours, record.citizen_id) == (
        "credential",
        Decimal(24),
        world["completer"].learner_id,
    )


def test_a_learner_who_did_not_complete_is_refused_with_the_reason(world, personas) -> None:
    with pytest.raises(issuance.NotEligible, match="chưa hoàn thành"):
        _issue(world, personas, who="dropout")

    assert not Credential.objects.exists()
    assert (
        courses_api.completion_get(
            learner_id=world["dropout"].learner_id, offering_id=world["class"].offering.public_id
        ).is_completed
        is False
    )


@pytest.mark.parametrize("persona", ["center_staff", "learner", "center_manager"])
def test_only_an_issuer_administrator_may_issue(world, personas, persona) -> None:
    with pytest.raises(NotPermitted):
        issuance.credential_issue(
            actor=getattr(personas, persona),
            achievement_id=world["achievement"].public_id,
            learner_id=world["completer"].learner_id,
            offering_id=world["class"].offering.public_id,
        )

    assert not Credential.objects.exists()


def test_revoking_sets_only_its_bit_and_the_verifier_says_revoked(world, personas) -> None:
    credential, _created = _issue(world, personas)
    other = issuance.credential_issue(
        actor=None,
        achievement_id=world["achievement"].public_id,
        learner_id=world["completer"].learner_id,
        offering_id=None,
    )[0]

    with pytest.raises(ValidationError):
        revocation.credential_revoke(
            actor=personas.issuer_admin, credential_id=credential.public_id, reason=" "
        )
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=credential.public_id, reason="Cấp nhầm người"
    )

    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert _verdict(credential) == "revoked"
    assert _verdict(other) == "valid"
    bits = status.status_bits_read(credential.document["credentialStatus"]["statusListCredential"])
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert (
        LearningRecord.objects.get(source_id=f"credential:{credential.public_id}").revoked_at
        is not None
    )


def test_after_a_revocation_a_new_credential_may_be_issued(world, personas) -> None:
    credential, _created = _issue(world, personas)
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=credential.public_id, reason="Sai thông tin"
    )

    again, created = _issue(world, personas)

    assert created
    assert again.pk != credential.pk
    assert again.status_index.index != credential.status_index.index or (
        again.status_index.status_list_id != credential.status_index.status_list_id
    )


def test_an_expired_credential_says_expired(world, personas) -> None:
    world["achievement"].valid_for_days = 1
    world["achievement"].save()
    credential, _created = _issue(world, personas)

    result = credential_verify(
        credential.document,
        resolve_key=key_resolve,
        read_status=status.status_bits_read,
        now=datetime.now(tz=UTC) + timedelta(days=2),
    )

    assert result.verdict == "expired"
