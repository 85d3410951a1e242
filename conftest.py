"""Fixtures shared by every test: fixed personas, as STYLE.md asks; the session's setup."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test.signals import setting_changed

from learnprofile.translations import catalogs_compile
from profiles.models import Membership, RegionalAdminScope, User
from profiles.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    province,
    units_loaded,
)
from tests.pipeline import SmtpInbox, smtp_server


def _translations_compiled() -> None:
    """`pytest` alone on a fresh clone finds the catalogs compiled (make test compiles them
    first too). Django loaded its catalogs while setting up; after a compile they are read
    again, as when LOCALE_PATHS changes."""
    if catalogs_compile(settings.LOCALE_PATHS):
        setting_changed.send(
            sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
        )


_translations_compiled()

# Tests slow enough to leave out of a quick local loop (`make test-quick`); `make test` runs
# them all. Browser journeys and real-worker tests are slow by nature.
SLOW_BY_NATURE = ("browser", "worker")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _administrative_units(request: pytest.FixtureRequest) -> None:
    """Units are data from a migration; a transactional test's flush removes them. Tests
    with database access find them loaded whatever ran before."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not {"db", "transactional_db", "live_server"} & names:
        return
    transactional = bool(
        {"transactional_db", "live_server"} & names
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    units_loaded()


@dataclass
class Personas:
    learner: User
    other_learner: User
    center_staff: User
    other_center_staff: User
    center_manager: User
    issuer_admin: User
    regional_admin: User
    national_admin: User
    anonymous: AnonymousUser


@pytest.fixture
def personas(db: None) -> Personas:
    center = OrganizationFactory(name="Trung tâm học tập cộng đồng phường Hoàn Kiếm")
    other_center = OrganizationFactory(name="Trung tâm học tập cộng đồng xã Ea Kar")

    def member(email: str, organization: object, role: str) -> User:
        user = UserFactory(email=email)
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    regional_admin = UserFactory(email="diaban@example.vn")
    RegionalAdminScope.objects.create(user=regional_admin, unit=province("ha_noi"))
    national_admin = UserFactory(email="quantri@example.vn", is_staff=True, is_superuser=True)
    return Personas(
        learner=UserFactory(email="hocvien@example.vn"),
        other_learner=UserFactory(email="hocvien2@example.vn"),
        center_staff=member("nhanvien@example.vn", center, Membership.Role.STAFF),
        other_center_staff=member("nhanvien2@example.vn", other_center, Membership.Role.STAFF),
        center_manager=member("quanly@example.vn", center, Membership.Role.MANAGER),
        issuer_admin=member("capchungchi@example.vn", center, Membership.Role.ISSUER_ADMIN),
        regional_admin=regional_admin,
        national_admin=national_admin,
        anonymous=AnonymousUser(),
    )


@pytest.fixture
def inbox(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on a free port, started for the test; mail goes there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.SITE_URL = "https://hoctap.gov.vn"
    with smtp_server() as (received, port):
        settings.EMAIL_PORT = port
        yield received
