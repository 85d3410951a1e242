"""Reads of achievements, batches and credentials, and the permission-checked getters the
issuer's pages and the API share."""

import uuid
from typing import Any

from django.utils.translation import gettext as _

from credentials.models import Achievement
from credentials.permissions import issuer_organization_ids
from learnprofile.errors import NotFound, NotPermitted


def achievement_for_issuer(*, actor: Any, achievement_id: uuid.UUID) -> Achievement:
    """The achievement if `actor` may issue it. NotPermitted for someone who issues for no
    organization; NotFound for an achievement of an organization that is not theirs."""
    organization_ids = issuer_organization_ids(actor)
    if not organization_ids:
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ mới làm được việc này."))
    achievement = Achievement.objects.filter(
        public_id=achievement_id, organization_id__in=organization_ids
    ).first()
    if achievement is None:
        raise NotFound(_("Không tìm thấy mẫu chứng chỉ."))
    return achievement
