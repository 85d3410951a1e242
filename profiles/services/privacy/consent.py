"""Consent: recorded per purpose with the notice version, withdrawn as easily as given
(Law 91/2025/QH15, Decree 356/2025)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy

from learnprofile.audit.services import audit_record
from learnprofile.errors import NotFound
from profiles.models import ConsentRecord, User


@transaction.atomic
def consent_set(
    *, actor: User, purpose: str, is_granted: bool, channel: str = "web"
) -> ConsentRecord:
    """Grant or withdraw consent for one purpose. Appends a row only when the state changes
    (idempotent), with the current notice version. Locks the person's user row so two
    clicks at once cannot both append."""
    if purpose not in ConsentRecord.Purpose.values:
        raise NotFound(gettext_lazy("Không có mục đích xử lý dữ liệu này."))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    current = (
        ConsentRecord.objects.filter(user=actor, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if current is not None and current.is_granted == is_granted:
        return current
    record = ConsentRecord.objects.create(
        user=actor,
        purpose=purpose,
        is_granted=is_granted,
        notice_version=settings.PRIVACY_NOTICE_VERSION,
        channel=channel,
    )
    audit_record(
        actor=actor,
        action="consent.granted" if is_granted else "consent.withdrawn",
        object_type="user",
        object_id=actor.public_id,
        details={"purpose": purpose, "notice_version": record.notice_version},
    )
    return record
