"""Certificate templates (achievements): created and edited by an issuer administrator of
their organization, each save in one transaction with its audit row."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from credentials.models import Achievement
from credentials.permissions import may_issue_for
from learnprofile.audit.services import audit_record
from learnprofile.errors import NotPermitted
from profiles.api import User


@transaction.atomic
def achievement_create(*, actor: User, achievement: Achievement) -> Achievement:
    """Saves a new, validated (unsaved) template and writes the audit row
    `achievement.created` (organization id, Vietnamese name) in the same transaction.

    Raises NotPermitted, and writes nothing, unless `actor` issues for the template's
    organization."""
    return _achievement_save(
        actor=actor,
        achievement=achievement,
        action="achievement.created",
        details={"organization_id": achievement.organization_id, "name_vi": achievement.name_vi},
    )


@transaction.atomic
def achievement_update(
    *, actor: User, achievement: Achievement, changed_fields: list[str]
) -> Achievement:
    """Saves an edited, validated template and writes the audit row `achievement.updated`
    with the names of the fields that changed (`changed_fields`, e.g. a form's
    `changed_data`), in the same transaction.

    Raises NotPermitted, and writes nothing, unless `actor` issues for the template's
    organization."""
    return _achievement_save(
        actor=actor,
        achievement=achievement,
        action="achievement.updated",
        details={"changed": sorted(changed_fields)},
    )


def _achievement_save(
    *, actor: User, achievement: Achievement, action: str, details: dict[str, Any]
) -> Achievement:
    """The template saved and its audit row `action` written, in the caller's transaction,
    if `actor` issues for its organization; NotPermitted, and nothing written, otherwise."""
    if not may_issue_for(actor, achievement.organization_id):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới làm được việc này."))
    achievement.save()
    audit_record(
        actor=actor,
        action=action,
        object_type="achievement",
        object_id=achievement.public_id,
        details=details,
    )
    return achievement
