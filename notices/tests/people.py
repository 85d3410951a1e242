"""People's consents and regional areas for the notice tests, written by model label: notices,
its tests included, uses profiles only through profiles.api and profiles.data (and its tests
through profiles.tests.factories), decision 0011."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Manager


def consent_set(*, actor: Any, purpose: str, is_granted: bool) -> None:
    """The person's latest choice for `purpose` (a consent record, as the privacy page
    writes it)."""
    apps.get_model("profiles", "ConsentRecord").objects.create(
        user=actor,
        purpose=purpose,
        is_granted=is_granted,
        notice_version=settings.PRIVACY_NOTICE_VERSION,
    )


def regional_scopes() -> Manager[Any]:
    """The regional administrators' areas (profiles.RegionalAdminScope rows)."""
    return apps.get_model("profiles", "RegionalAdminScope").objects
