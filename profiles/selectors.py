"""Reads for people and places."""

from django.db.models import QuerySet

from learnprofile.text import fold
from profiles.models import AdministrativeUnit, Organization, User

WARD_PICKER_LIMIT = 30


def ward_search(*, query: str, limit: int = WARD_PICKER_LIMIT) -> QuerySet[AdministrativeUnit]:
    """Wards whose folded name or province contain every word of the folded query.

    "dak lak" and "Đắk Lắk" find the same wards; an empty query finds nothing.
    """
    words = fold(query).split()
    if not words:
        return AdministrativeUnit.objects.none()
    wards = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.WARD)
    for word in words[:6]:
        wards = wards.filter(search_text__contains=word)
    return wards.select_related("parent").order_by("name", "parent__name")[:limit]


def organizations_of(*, user: User) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(memberships__user=user)
        .select_related("ward__parent")
        .distinct()
        .order_by("name")
    )
