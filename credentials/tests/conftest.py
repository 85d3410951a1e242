"""Shared fixtures of the credentials tests."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from courses.tests.factories import class_close, class_make
from credentials.models import Issuance
from credentials.services import issuance
from credentials.tests.factories import achievement_make
from profiles import api as profiles_api
from profiles.tests.factories import with_mfa

# 05:19 on 30 November 2026 in Hà Nội is 22:19 on the 29th in UTC.
AT_0519_IN_HANOI = datetime(2026, 11, 29, 22, 19, tzinfo=UTC)


@pytest.fixture
def completed_class(personas, settings):
    """A closed class of three at the center staff's center (the first two completed it, the
    third was absent and did not) and a certificate template rewarding its course."""
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=3, sessions=2)
    class_close(klass, actor=personas.center_staff, absent=frozenset({2}))
    return klass, achievement_make(center, klass.offering.course)


@pytest.fixture
def issuer(personas, settings):
    """The issuer administrator's organization, on the host hoctap.gov.vn."""
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    organization = personas.issuer_admin.memberships.get().organization
    return profiles_api.organization_get(public_id=organization.public_id)


@pytest.fixture
def issued(completed_class, personas):
    """A credential issued to the first completer at 05:19 in Hà Nội (MFA set up for the
    issuer administrator)."""
    klass, achievement = completed_class
    enrollment = klass.enrollments[0]
    with_mfa(personas.issuer_admin)
    credential, _created = issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=achievement.public_id,
        learner_id=enrollment.learner_id,
        offering_id=klass.offering.public_id,
        now=AT_0519_IN_HANOI,
    )
    return credential


@pytest.fixture
def issuer_world(completed_class, personas):
    """A closed class and its achievement, its automatic issuance requests removed, and an
    issuer administrator with a second factor: the starting point of the issuing pages."""
    with_mfa(personas.issuer_admin)
    klass, achievement = completed_class
    Issuance.objects.all().delete()  # the automatic requests of the closing
    return klass, achievement


@pytest.fixture
def issuer_client(personas) -> Client:
    """The issuer administrator, signed in."""
    client = Client()
    client.force_login(personas.issuer_admin)
    return client
