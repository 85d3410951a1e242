"""Ledger rows made ready to show: labels computed once per page, not once per field.

Django's `get_FOO_display()` rebuilds the choice list and translates it on every call; on a
page of records that was most of the render time. Here each label is translated once and
each row becomes a small frozen item the template prints as is.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.urls import reverse
from django.utils.translation import gettext as _

from learnprofile.formatting import date_for_people, number_for_people
from profiles.data import LearningCategory, LearningRecordKind
from profiles.models import LearningRecord


@dataclass(frozen=True)
class TimelineItem:
    public_id: UUID
    url: str
    title: str
    year: int
    date_iso: str
    details: str
    status: str
    status_label: str
    is_public: bool
    evidence_count: int


def timeline_items(records: Iterable[LearningRecord]) -> list[TimelineItem]:
    kinds = {value: str(label) for value, label in LearningRecordKind.choices}
    categories = {value: str(label) for value, label in LearningCategory.choices}
    statuses = {value: str(label) for value, label in LearningRecord.Verification.choices}
    revoked = _("Đã thu hồi")
    hours_label = _("%(hours)s giờ")
    # One reverse() for the page; each row's link only differs by its id.
    placeholder = UUID(int=0)
    url_pattern = reverse("learning_record", args=[placeholder]).replace(str(placeholder), "{}")
    items = []
    for record in records:
        parts = [
            date_for_people(record.occurred_on),
            kinds.get(record.kind, record.kind),
            categories.get(record.category, record.category),
        ]
        if record.hours:
            hours = number_for_people(record.hours)
            parts.append(hours_label % {"hours": hours})
        provider = (
            record.provider_organization.name
            if record.provider_organization_id is not None and record.provider_organization
            else record.provider_name
        )
        if provider:
            parts.append(provider)
        is_revoked = record.revoked_at is not None
        items.append(
            TimelineItem(
                public_id=record.public_id,
                url=url_pattern.format(record.public_id),
                title=record.title,
                year=record.occurred_on.year,
                date_iso=record.occurred_on.isoformat(),
                details=" · ".join(parts),
                status="revoked" if is_revoked else record.verification_status,
                status_label=revoked if is_revoked else statuses[record.verification_status],
                is_public=record.is_public,
                evidence_count=getattr(record, "evidence_count", 0),
            )
        )
    return items
