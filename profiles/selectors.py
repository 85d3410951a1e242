"""Reads for people and places."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from learnprofile.text import fold
from profiles import permissions
from profiles.data import LearningRecordKind
from profiles.models import (
    AdministrativeUnit,
    ConsentRecord,
    DataRequest,
    EvidenceFile,
    Household,
    HouseholdInvitation,
    HouseholdMember,
    LearningRecord,
    Organization,
    RegionalAdminScope,
    User,
)

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


# --- The ledger ---------------------------------------------------------------------------

# Records that count: not revoked, not rejected by the staff asked to verify them.
COUNTED = Q(revoked_at__isnull=True) & ~Q(verification_status=LearningRecord.Verification.REJECTED)


@dataclass(frozen=True)
class LearningTotals:
    hours_this_year: Decimal
    hours_overall: Decimal
    courses_completed: int
    credentials_held: int
    records: int  # counted ones
    all_records: int  # revoked and rejected included: the length of the timeline


def learning_records_of(
    *, user: User, year: int | None = None, category: str | None = None
) -> QuerySet[LearningRecord]:
    """The citizen's timeline, newest first, ready to render without further queries."""
    # A correlated count rather than JOIN + GROUP BY: the pager's COUNT(*) then drops it and
    # the page query walks the (citizen, -occurred_on) index with a LIMIT.
    evidence_count = (
        EvidenceFile.objects.filter(record=OuterRef("pk"))
        .order_by()
        .values("record")
        .annotate(count=Count("id"))
        .values("count")
    )
    records = (
        LearningRecord.objects.filter(citizen=user)
        .select_related("provider_organization")
        .annotate(evidence_count=Coalesce(Subquery(evidence_count), 0))
        .order_by("-occurred_on", "-id")
    )
    if year is not None:
        records = records.filter(occurred_on__year=year)
    if category:
        records = records.filter(category=category)
    return records


def learning_totals(*, user_id: int, year: int | None = None) -> LearningTotals:
    """Totals over the whole ledger in one query (hours this year, overall, ...)."""
    this_year = year or timezone.localdate().year
    totals = LearningRecord.objects.filter(citizen_id=user_id).aggregate(
        hours_this_year=Sum(
            "hours", filter=COUNTED & Q(occurred_on__year=this_year), default=Decimal(0)
        ),
        hours_overall=Sum("hours", filter=COUNTED, default=Decimal(0)),
        courses_completed=Count("id", filter=COUNTED & Q(kind=LearningRecordKind.COURSE_COMPLETED)),
        credentials_held=Count("id", filter=COUNTED & Q(kind=LearningRecordKind.CREDENTIAL)),
        records=Count("id", filter=COUNTED),
        all_records=Count("id"),
    )
    return LearningTotals(**totals)


def learning_years_of(*, user: User) -> list[int]:
    return list(
        LearningRecord.objects.filter(citizen=user)
        .annotate(year=ExtractYear("occurred_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def public_records_of(*, user_id: int) -> QuerySet[LearningRecord]:
    return (
        LearningRecord.objects.filter(COUNTED, citizen_id=user_id, is_public=True)
        .select_related("provider_organization")
        .order_by("-occurred_on", "-id")
    )


def verification_queue(*, user: User) -> QuerySet[LearningRecord]:
    """Pending self-reported records addressed to the staff member's organizations."""
    return (
        LearningRecord.objects.filter(
            verification_status=LearningRecord.Verification.PENDING,
            verifier_organization_id__in=permissions.center_organization_ids(user),
        )
        .exclude(citizen=user)
        .select_related("citizen__citizen_profile", "verifier_organization")
        .prefetch_related("evidence")
        .order_by("created_at")
    )


def verifier_organizations_for(*, user: User) -> QuerySet[Organization]:
    """Approved organizations a citizen may ask to verify a record: those of their province
    (or all, when they have not said where they live)."""
    organizations = Organization.objects.filter(is_approved=True).select_related("ward__parent")
    profile = getattr(user, "citizen_profile", None)
    if profile is not None and profile.residence_ward_id is not None:
        province_id = profile.residence_ward.parent_id
        organizations = organizations.filter(ward__parent_id=province_id)
    return organizations.order_by("name")


# --- Consent ------------------------------------------------------------------------------


def consents_current(*, user_id: int) -> dict[str, ConsentRecord]:
    """The latest consent row per purpose (absent purpose: never asked, so not given)."""
    rows = (
        ConsentRecord.objects.filter(user_id=user_id)
        .order_by("purpose", "-recorded_at", "-id")
        .distinct("purpose")
    )
    return {row.purpose: row for row in rows}


def users_consenting(*, user_ids: list[int], purpose: str) -> set[int]:
    """Which of these people currently consent to `purpose` (one query)."""
    latest = (
        ConsentRecord.objects.filter(user_id__in=user_ids, purpose=purpose)
        .order_by("user_id", "-recorded_at", "-id")
        .distinct("user_id")
        .values_list("user_id", "is_granted")
    )
    return {user_id for user_id, is_granted in latest if is_granted}


def people_consenting(*, purpose: str) -> QuerySet[User]:
    """People who can receive notices and whose latest consent record for `purpose` says
    yes."""
    latest = (
        ConsentRecord.objects.filter(user_id=OuterRef("pk"), purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values("is_granted")[:1]
    )
    return (
        User.objects.filter(is_active=True, is_assisted=False, erased_at__isnull=True)
        .annotate(consents=Subquery(latest))
        .filter(consents=True)
    )


def people_who_can_receive(*, user_ids: set[int]) -> set[int]:
    """Which of these people may be sent notices (active, not erased, not assisted)."""
    return set(
        User.objects.filter(
            pk__in=user_ids, is_active=True, is_assisted=False, erased_at__isnull=True
        ).values_list("pk", flat=True)
    )


def consents_granted(*, user_ids: set[int], purposes: set[str]) -> set[tuple[int, str]]:
    """The (person, purpose) pairs whose latest consent record says yes (one query)."""
    latest = (
        ConsentRecord.objects.filter(user_id__in=user_ids, purpose__in=purposes)
        .order_by("user_id", "purpose", "-recorded_at", "-id")
        .distinct("user_id", "purpose")
        .values_list("user_id", "purpose", "is_granted")
    )
    return {(user_id, purpose) for user_id, purpose, is_granted in latest if is_granted}


def people_consenting_in_area(
    *, purpose: str, unit_id: int, with_phone: bool = False
) -> QuerySet[User]:
    """`people_consenting` living in the unit (a province: any of its wards), with a phone
    number when `with_phone`."""
    people = people_consenting(purpose=purpose)
    unit = AdministrativeUnit.objects.get(pk=unit_id)
    if unit.level == AdministrativeUnit.Level.PROVINCE:
        people = people.filter(citizen_profile__residence_ward__parent_id=unit_id)
    else:
        people = people.filter(citizen_profile__residence_ward_id=unit_id)
    if with_phone:
        people = people.exclude(citizen_profile__phone="")
    return people


# --- Regional administrators --------------------------------------------------------------


def regional_admin_units(*, user_id: int) -> QuerySet[AdministrativeUnit]:
    """A regional administrator's areas, provinces first, then wards, by name."""
    return (
        AdministrativeUnit.objects.filter(
            pk__in=RegionalAdminScope.objects.filter(user_id=user_id).values("unit_id")
        )
        .select_related("parent")
        .order_by("level", "name")
    )


def regional_admin_unit_ids(*, user_id: int) -> set[int]:
    """A regional administrator's areas and the wards of the provinces among them."""
    scopes = RegionalAdminScope.objects.filter(user_id=user_id).values("unit_id")
    return set(
        AdministrativeUnit.objects.filter(Q(pk__in=scopes) | Q(parent_id__in=scopes)).values_list(
            "pk", flat=True
        )
    )


# --- Households ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdMemberView:
    member: HouseholdMember
    is_sharing: bool
    totals: LearningTotals | None
    recent_records: list[LearningRecord]


def household_of(*, user: User) -> Household | None:
    membership = HouseholdMember.objects.select_related("household").filter(user=user).first()
    return membership.household if membership is not None else None


def household_members_view(*, household: Household, viewer: User) -> list[HouseholdMemberView]:
    """Each member, with their learning only if they consent to share it with the household
    (the viewer sees their own learning always)."""
    members = list(
        household.members.select_related("user__citizen_profile").order_by("joined_at", "id")
    )
    user_ids = [member.user_id for member in members]
    sharing = users_consenting(user_ids=user_ids, purpose=ConsentRecord.Purpose.HOUSEHOLD_SHARING)
    shown = [user_id for user_id in user_ids if user_id in sharing or user_id == viewer.pk]
    year = timezone.localdate().year
    views = []
    for member in members:
        if member.user_id in shown:
            totals = learning_totals(user_id=member.user_id, year=year)
            recent = list(
                LearningRecord.objects.filter(COUNTED, citizen_id=member.user_id).order_by(
                    "-occurred_on", "-id"
                )[:3]
            )
        else:
            totals, recent = None, []
        views.append(
            HouseholdMemberView(
                member=member,
                is_sharing=member.user_id in sharing,
                totals=totals,
                recent_records=recent,
            )
        )
    return views


def household_hours_this_year(*, household: Household, year: int) -> dict[int, Decimal]:
    """Every member's counted hours in `year`, for rules such as "each member learned at
    least N hours" (a "Learning Family" title). Zero for members with no learning."""
    member_ids = list(household.members.values_list("user_id", flat=True))
    hours = dict(
        LearningRecord.objects.filter(COUNTED, citizen_id__in=member_ids, occurred_on__year=year)
        .values("citizen_id")
        .annotate(total=Sum("hours"))
        .values_list("citizen_id", "total")
    )
    return {user_id: hours.get(user_id, Decimal(0)) for user_id in member_ids}


def household_invitations_for(*, user: User) -> QuerySet[HouseholdInvitation]:
    """Pending, unexpired invitations addressed to the person's email or profile phone."""
    profile = getattr(user, "citizen_profile", None)
    address = Q(email=user.email)
    if profile is not None and profile.phone:
        address |= Q(phone=profile.phone)
    return (
        HouseholdInvitation.objects.filter(
            address, status=HouseholdInvitation.Status.PENDING, expires_at__gt=timezone.now()
        )
        .select_related("household")
        .order_by("-created_at")
    )


# --- Data requests ------------------------------------------------------------------------


def data_requests_of(*, user: User) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(user=user).order_by("-requested_at", "-id")
