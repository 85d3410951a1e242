"""The only module of `profiles` that other apps import (with `data.py`)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from profiles import permissions, selectors
from profiles.data import (
    AdministrativeUnitData,
    LearningRecordData,
    OrganizationData,
    PersonData,
)

# Expressions for other apps' own queries (decision 0011).
from profiles.expressions import (
    administrative_unit_name_expression as administrative_unit_name_expression,
)
from profiles.expressions import (
    organization_name_expression as organization_name_expression,
)
from profiles.expressions import (
    organization_ward_id_expression as organization_ward_id_expression,
)
from profiles.expressions import (
    person_full_name_expression as person_full_name_expression,
)
from profiles.models import (
    AdministrativeUnit,
    ConsentRecord,
    LearningRecord,
    Organization,
)

# The account model, for other apps' type hints (`actor: User`); they read people through
# the functions below, never through its manager or relations (decision 0011).
from profiles.models import User as User

# People read in bulk, and found by an e-mail address or phone number.
from profiles.people import contacts_match as contacts_match
from profiles.people import persons_by_contact as persons_by_contact
from profiles.people import persons_get as persons_get
from profiles.permissions import LearnerRelation
from profiles.personal_data import PersonalDataTable
from profiles.personal_data import personal_data_table_register as _table_register

# Phone numbers: one set of rules (Vietnam's plan, E.164, the 2018 renumbering) for every app.
from profiles.phone import PhoneNumber as PhoneNumber
from profiles.phone import phone_display as phone_display
from profiles.phone import phone_is_mobile as phone_is_mobile
from profiles.phone import phone_lookup_key as phone_lookup_key
from profiles.phone import phone_normalise as phone_normalise
from profiles.phone import phone_parse as phone_parse
from profiles.services import assisted, learning


def _unit_data(unit: AdministrativeUnit) -> AdministrativeUnitData:
    return AdministrativeUnitData(
        id=unit.pk,
        code=unit.code,
        level=unit.level,
        name=unit.name,
        province_name=unit.parent.name if unit.parent is not None else None,
        province_id=unit.parent_id,
    )


def administrative_unit_get(*, unit_id: int) -> AdministrativeUnitData | None:
    unit = AdministrativeUnit.objects.select_related("parent").filter(pk=unit_id).first()
    return _unit_data(unit) if unit is not None else None


def administrative_units_get(*, unit_ids: set[int]) -> dict[int, AdministrativeUnitData]:
    units = AdministrativeUnit.objects.select_related("parent").filter(pk__in=unit_ids)
    return {unit.pk: _unit_data(unit) for unit in units}


def administrative_unit_by_code(*, level: str, code: int) -> AdministrativeUnitData | None:
    """A province or ward by its official code (the id that appears in shareable URLs)."""
    unit = (
        AdministrativeUnit.objects.select_related("parent").filter(level=level, code=code).first()
    )
    return _unit_data(unit) if unit is not None else None


def wards_of_province(*, province_id: int) -> list[AdministrativeUnitData]:
    wards = AdministrativeUnit.objects.select_related("parent").filter(parent_id=province_id)
    return [_unit_data(unit) for unit in wards.order_by("name")]


def wards_search(*, query: str) -> list[AdministrativeUnitData]:
    """Wards matching a typed name, accents optional (the ward picker)."""
    return [_unit_data(unit) for unit in selectors.ward_search(query=query)]


def provinces_list() -> list[AdministrativeUnitData]:
    provinces = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE)
    return [_unit_data(unit) for unit in provinces.order_by("name")]


def organization_get(*, public_id: UUID) -> OrganizationData | None:
    organization = (
        Organization.objects.select_related("ward__parent").filter(public_id=public_id).first()
    )
    return _organization_data(organization) if organization is not None else None


def organization_get_by_id(*, organization_id: int) -> OrganizationData | None:
    organization = (
        Organization.objects.select_related("ward__parent").filter(pk=organization_id).first()
    )
    return _organization_data(organization) if organization is not None else None


def organizations_of(*, user_id: int, roles: set[str]) -> list[OrganizationData]:
    """Organizations where the person holds one of `roles` (e.g. {"manager"}), by name."""
    organizations = (
        Organization.objects.select_related("ward__parent")
        .filter(memberships__user_id=user_id, memberships__role__in=roles)
        .distinct()
        .order_by("name")
    )
    return [_organization_data(organization) for organization in organizations]


def _organization_data(organization: Organization) -> OrganizationData:
    return OrganizationData(
        id=organization.pk,
        public_id=organization.public_id,
        name=organization.name,
        kind=organization.kind,
        ward=_unit_data(organization.ward),
        is_approved=organization.is_approved,
        slug=organization.slug,
    )


def organization_get_by_slug(*, slug: str) -> OrganizationData | None:
    organization = Organization.objects.select_related("ward__parent").filter(slug=slug).first()
    return _organization_data(organization) if organization is not None else None


def person_get(*, user_id: int) -> PersonData | None:
    return persons_get(user_ids={user_id}).get(user_id)


def person_get_by_public_id(*, public_id: UUID) -> PersonData | None:
    user = User.objects.filter(public_id=public_id, erased_at__isnull=True).first()
    return person_get(user_id=user.pk) if user is not None else None


# --- Walk-in learners (accounts opened by center staff) -----------------------------------


def assisted_person_create(
    *,
    actor_id: int,
    full_name: str,
    phone: str = "",
    ward_id: int | None = None,
    national_id: str = "",
) -> PersonData:
    """Open an account for a learner without email (see services.assisted). Raises
    ValidationError or NationalIdAlreadyRegistered, writing nothing."""
    user = assisted.assisted_person_create(
        actor=User.objects.get(pk=actor_id),
        person=assisted.AssistedPersonInput(
            full_name=full_name, phone=phone, ward_id=ward_id, national_id=national_id
        ),
    )
    return person_get(user_id=user.pk)  # type: ignore[return-value]


def persons_find(*, phone: str = "", national_id: str = "") -> list[PersonData]:
    """People with this phone or national ID number. The phone may be typed in any form
    `profiles.phone.phone_parse` accepts (an old 11-digit mobile number finds the person by
    today's number). Raises ValidationError keyed by field (`phone`, `national_id`) if
    malformed; nothing is queried then."""
    users = assisted.persons_find(phone=phone, national_id=national_id)
    return list(persons_get(user_ids={user.pk for user in users}).values())


def learning_records_move(
    *, from_user_id: int, to_user_id: int, record_ids: list[UUID] | None = None
) -> list[UUID]:
    """Give one person's ledger rows (or only `record_ids`) to another; in the caller's
    transaction. Returns the public ids moved."""
    return assisted.learning_records_move(
        from_user_id=from_user_id, to_user_id=to_user_id, record_ids=record_ids
    )


def national_id_move(*, from_user_id: int, to_user_id: int) -> bool:
    """Move the national ID number on file to a profile that has none; in the caller's
    transaction. Returns whether it moved."""
    return assisted.national_id_move(from_user_id=from_user_id, to_user_id=to_user_id)


def person_may_act_for_organization(*, user_id: int, organization_id: int, roles: set[str]) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None:
        return False
    return permissions.may_act_for_organization(user, organization, roles)


# --- The learning record ledger -----------------------------------------------------------


def _record_data(record: LearningRecord) -> LearningRecordData:
    return LearningRecordData(
        public_id=record.public_id,
        citizen_id=record.citizen_id,
        kind=record.kind,
        title=record.title,
        category=record.category,
        hours=record.hours,
        started_on=record.started_on,
        ended_on=record.ended_on,
        occurred_on=record.occurred_on,
        provider_organization_id=record.provider_organization_id,
        provider_name=record.provider_name,
        source_app=record.source_app,
        source_id=record.source_id,
        verification_status=record.verification_status,
        is_revoked=record.revoked_at is not None,
    )


def learning_record_add(
    *,
    citizen_id: int,
    kind: str,
    title: str,
    category: str,
    source_app: str,
    source_id: str,
    hours: Decimal = Decimal(0),
    started_on: date | None = None,
    ended_on: date | None = None,
    provider_organization_id: int | None = None,
    provider_name: str = "",
    url: str = "",
) -> LearningRecordData:
    """Write a learning event to a citizen's ledger; idempotent on (source_app, source_id):
    the same source written twice returns the first row. See services.learning."""
    record, _created = learning.learning_record_add(
        citizen_id=citizen_id,
        kind=kind,
        title=title,
        category=category,
        source_app=source_app,
        source_id=source_id,
        hours=hours,
        started_on=started_on,
        ended_on=ended_on,
        provider_organization_id=provider_organization_id,
        provider_name=provider_name,
        url=url,
    )
    return _record_data(record)


def learning_record_revoke(*, source_app: str, source_id: str, reason: str) -> LearningRecordData:
    """Mark a source's ledger row revoked (the row and its history stay). Idempotent."""
    return _record_data(
        learning.learning_record_revoke(source_app=source_app, source_id=source_id, reason=reason)
    )


def learning_record_get(*, source_app: str, source_id: str) -> LearningRecordData | None:
    record = LearningRecord.objects.filter(source_app=source_app, source_id=source_id).first()
    return _record_data(record) if record is not None else None


def learning_records_of(*, citizen_id: int) -> list[LearningRecordData]:
    """A citizen's whole ledger, newest first (revoked rows included, marked)."""
    records = LearningRecord.objects.filter(citizen_id=citizen_id).order_by("-occurred_on", "-id")
    return [_record_data(record) for record in records]


def learning_hours(*, citizen_id: int, year: int) -> Decimal:
    """Counted hours (not revoked, not rejected) of a citizen in a year."""
    return selectors.learning_totals(user_id=citizen_id, year=year).hours_this_year


# --- Hooks for other apps -----------------------------------------------------------------


def learner_relation_register(relation: LearnerRelation) -> None:
    """Tell profiles when a learner is "known" at an organization (e.g. enrolled there),
    so its staff may open the learner's read-only summary."""
    permissions.learner_relation_register(relation)


def personal_data_table_register(
    *, label: str, covers: tuple[str, ...], exclude: tuple[str, ...] = ()
) -> None:
    """Declare a table holding rows about a person, so exports include it."""
    _table_register(PersonalDataTable(label=label, covers=covers, exclude=exclude))


def person_has_consent(*, user_id: int, purpose: str) -> bool:
    """Does the person currently consent to `purpose` (a ConsentRecord.Purpose value)?"""
    if purpose not in ConsentRecord.Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}")
    return user_id in selectors.users_consenting(user_ids=[user_id], purpose=purpose)


def has_privileged_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Does this person hold a staff or administrator role (or Django's staff flag)?"""
    return permissions.has_privileged_role(user)


def staff_mfa_missing(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Does this person hold a staff role without two-step verification? Staff APIs refuse
    them, as the MFA middleware turns them away from /staff/ pages."""
    return permissions.staff_second_factor_missing(user)


# --- People to notify (for notices, and the apps that plan them) --------------------------


def people_consenting(*, purpose: str) -> QuerySet[User]:
    """People who can receive notices and whose latest choice for `purpose` is yes (a query
    to narrow further, not a list)."""
    return selectors.people_consenting(purpose=purpose)


def people_inactive_since(*, since: datetime) -> QuerySet[User]:
    """People with the learning-reminders consent, here since before `since`, with nothing
    added to their learning record since then (other apps narrow it with their own signs
    of learning)."""
    return (
        selectors.people_consenting(purpose=ConsentRecord.Purpose.LEARNING_REMINDERS)
        .filter(date_joined__lt=since)
        .exclude(
            Exists(LearningRecord.objects.filter(citizen_id=OuterRef("pk"), created_at__gte=since))
        )
    )


def people_who_can_receive(*, user_ids: set[int]) -> set[int]:
    """Which of these people may be sent notices: active, not erased, not an account center
    staff opened for a walk-in learner (one query)."""
    return selectors.people_who_can_receive(user_ids=user_ids)


def consents_granted(*, user_ids: set[int], purposes: set[str]) -> set[tuple[int, str]]:
    """The (person, purpose) pairs among these people and purposes (`ConsentPurpose` values)
    whose latest choice is yes (one query)."""
    return selectors.consents_granted(user_ids=user_ids, purposes=purposes)


def people_consenting_in_area(
    *, purpose: str, unit_id: int, with_phone: bool = False
) -> QuerySet[User]:
    """People who can receive notices, whose latest choice for `purpose` is yes, living in
    the administrative unit `unit_id` (a province: any of its wards), with a phone number on
    file when `with_phone` (a query to narrow further, not a list). Raises
    AdministrativeUnit.DoesNotExist for an unknown unit."""
    return selectors.people_consenting_in_area(
        purpose=purpose, unit_id=unit_id, with_phone=with_phone
    )


def regional_admin_units(*, user_id: int) -> list[AdministrativeUnitData]:
    """The areas the person administers as a regional administrator (provinces first, then
    wards, each by name); [] for anyone else."""
    return [_unit_data(unit) for unit in selectors.regional_admin_units(user_id=user_id)]


def regional_admin_unit_ids(*, user_id: int) -> set[int]:
    """Every administrative unit the person covers as a regional administrator: their areas
    and, for a province, all its wards (one query)."""
    return selectors.regional_admin_unit_ids(user_id=user_id)


def user_get(*, user_id: int) -> User | None:
    """The account with this id, active or not, or None: for another app to act again as
    someone it recorded earlier (the administrator who asked for an issuance, when the worker
    carries it out later). One query."""
    return User.objects.filter(pk=user_id).first()


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `citizen_view` or `staff_view`: its user is signed in (a `User`,
    never `AnonymousUser`). For type hints only; Django builds the real request."""

    user: User


class AuthenticatedRequest(Request):
    """A DRF request behind `CitizenApi` or `StaffApi`: its user is signed in (a `User`,
    never `AnonymousUser`). For type hints only; DRF builds the real request."""

    user: User
