"""The only module of `profiles` that other apps import (with `data.py`)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import CharField, Exists, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from learnprofile.text import email_canonical
from profiles import permissions, selectors
from profiles.data import (
    AdministrativeUnitData,
    ContactMatch,
    LearningRecordData,
    OrganizationData,
    PersonData,
)
from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    ConsentRecord,
    LearningRecord,
    Organization,
    User,
)
from profiles.permissions import LearnerRelation
from profiles.personal_data import PersonalDataTable
from profiles.personal_data import personal_data_table_register as _table_register

# Phone numbers: one set of rules (Vietnam's plan, E.164, the 2018 renumbering) for every app.
from profiles.phone import PhoneNumber as PhoneNumber
from profiles.phone import phone_display as phone_display
from profiles.phone import phone_lookup_key as phone_lookup_key
from profiles.phone import phone_normalise as phone_normalise
from profiles.phone import phone_parse as phone_parse
from profiles.services import assisted, learning, notifications


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


def persons_get(*, user_ids: set[int]) -> dict[int, PersonData]:
    """Several people in two queries (for rosters and mailings)."""
    users = User.objects.select_related("citizen_profile__residence_ward").filter(pk__in=user_ids)
    verified = set(
        EmailAddress.objects.filter(user_id__in=user_ids, verified=True).values_list(
            "user_id", flat=True
        )
    )
    people = {}
    for user in users:
        people[user.pk] = _person_data(user, has_verified_email=user.pk in verified)
    return people


def _person_data(user: User, *, has_verified_email: bool) -> PersonData:
    profile = getattr(user, "citizen_profile", None)
    ward = profile.residence_ward if profile is not None else None
    return PersonData(
        id=user.pk,
        public_id=user.public_id,
        # An assisted account's address is a placeholder that no mail may go to.
        email="" if user.is_assisted else user.email,
        full_name=profile.full_name if profile is not None else "",
        preferred_language=user.preferred_language,
        has_verified_email=has_verified_email and not user.is_assisted,
        residence_ward_id=ward.pk if ward is not None else None,
        residence_province_id=ward.parent_id if ward is not None else None,
        phone=profile.phone if profile is not None else "",
        is_assisted=user.is_assisted,
    )


def person_full_name_expression(*, user_id_field: str) -> Func:
    """The full name of the person whose user id is in the caller's column `user_id_field`
    (e.g. "learner_id", or "pk" on a query of people), "" when they have no profile; an
    expression for the calling app's own `.values()` or `.annotate()`. A correlated subquery
    on the profile's unique user key, so a statement that plans notices for a whole class
    stays one statement, without the caller following a path into profiles' tables."""
    return Coalesce(
        Subquery(
            CitizenProfile.objects.filter(user_id=OuterRef(user_id_field)).values("full_name")[:1]
        ),
        Value(""),
        output_field=CharField(),
    )


def organization_name_expression(*, organization_id_field: str) -> Func:
    """The name of the organization whose id is in the caller's column
    `organization_id_field` (e.g. "provider_id", "course__provider_id"), "" when there is
    none; an expression for the calling app's own `.annotate()`, so a page of rows reads
    the names in the same query, without following a path into profiles' tables."""
    return Coalesce(
        Subquery(
            Organization.objects.filter(pk=OuterRef(organization_id_field)).values("name")[:1]
        ),
        Value(""),
        output_field=CharField(),
    )


def organization_ward_id_expression(*, organization_id_field: str) -> Subquery:
    """The id of the ward where the organization whose id is in the caller's column
    `organization_id_field` stands (None when there is none); an expression for the calling
    app's own `.annotate()` (see `organization_name_expression`)."""
    return Subquery(
        Organization.objects.filter(pk=OuterRef(organization_id_field)).values("ward_id")[:1]
    )


def administrative_unit_name_expression(*, unit_id_field: str) -> Func:
    """The name of the ward or province whose id is in the caller's column `unit_id_field`
    (e.g. "ward_id", "offering__province_id"), "" when there is none; an expression for the
    calling app's own `.annotate()` (see `organization_name_expression`)."""
    return Coalesce(
        Subquery(AdministrativeUnit.objects.filter(pk=OuterRef(unit_id_field)).values("name")[:1]),
        Value(""),
        output_field=CharField(),
    )


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


def contacts_match(*, contacts: list[str]) -> dict[str, ContactMatch]:
    """Who each email address or phone number names, keyed by the contact as given, in three
    queries whatever the count. A contact with "@" is an e-mail address (either form of an
    IDN domain names the same person, decision 0009); any other is a Vietnamese phone number
    in any form `profiles.phone.phone_parse` accepts ("0912 345 678", "+84 912 345 678",
    "84912345678", "+84 0912 345 678", an old "0162 912 3456" whose new number is on file).

    Each answer lists everyone the contact names: a phone number shared by a household
    names several people. A contact that is not a valid e-mail address (Django's
    `validate_email`) or phone number names nobody and carries the reason in `error`, in
    the active language (for a phone, the message of `phone_normalise`). Never raises."""
    answers: dict[str, ContactMatch] = {}
    # Either form of an address with an IDN domain (Unicode or punycode) names the same
    # person: both are looked up in the one form addresses are stored in (decision 0009),
    # and each contact that names it is answered.
    emails: dict[str, list[str]] = {}
    # Phone numbers in any accepted form: several contacts may name the same E.164 number.
    phones: dict[str, list[str]] = {}
    for contact in contacts:
        if "@" in contact:
            email = email_canonical(contact)
            try:
                validate_email(email)
            except ValidationError:
                answers[contact] = ContactMatch(
                    error=_(
                        "Địa chỉ email không hợp lệ. Hãy kiểm tra lại: email có dạng "
                        "ten@tenmien, ví dụ lan.nguyen@example.com."
                    )
                )
                continue
            emails.setdefault(email, []).append(contact)
        else:
            try:
                phones.setdefault(phone_normalise(contact), []).append(contact)
            except ValidationError as error:
                answers[contact] = ContactMatch(error=" ".join(error.messages))
    by_email: dict[str, int] = dict(
        EmailAddress.objects.filter(
            email__in=list(emails), user__erased_at__isnull=True, user__is_active=True
        ).values_list("email", "user_id")
    )
    for user_id, email in User.objects.filter(
        email__in=[email for email in emails if email not in by_email],
        erased_at__isnull=True,
        is_active=True,
    ).values_list("pk", "email"):
        by_email[email] = user_id
    named: dict[str, list[int]] = {}
    for email, contacts_of_email in emails.items():
        for contact in contacts_of_email:
            named[contact] = [by_email[email]] if email in by_email else []
    by_phone: dict[str, list[int]] = {}
    for user_id, phone in (
        User.objects.filter(
            citizen_profile__phone__in=list(phones), erased_at__isnull=True, is_active=True
        )
        .order_by("pk")
        .values_list("pk", "citizen_profile__phone")
    ):
        by_phone.setdefault(phone, []).append(user_id)
    for phone, contacts_of_phone in phones.items():
        for contact in contacts_of_phone:
            named[contact] = by_phone.get(phone, [])
    people = persons_get(user_ids={user_id for ids in named.values() for user_id in ids})
    for contact, user_ids in named.items():
        answers[contact] = ContactMatch(
            people=tuple(people[user_id] for user_id in user_ids if user_id in people)
        )
    return answers


def persons_by_contact(*, contacts: list[str]) -> dict[str, PersonData]:
    """Who each email address or phone number names, keyed by the contact as given (see
    `contacts_match`, whose rules it follows). A contact that names nobody, an invalid
    contact, or a phone number shared by several people is left out; never raises."""
    return {
        contact: match.people[0]
        for contact, match in contacts_match(contacts=contacts).items()
        if len(match.people) == 1
    }


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


# --- Notices (the outbox) -----------------------------------------------------------------

NoticeData = notifications.NoticeData
Message = notifications.Message


def notice_kind_register(
    kind: str,
    *,
    render: notifications.Renderer,
    applies: notifications.StillApplies | None = None,
) -> None:
    """An app that owns an event registers how to word its notice (`render`, called in the
    recipient's language) and, optionally, a check run at send time on a chunk of notices of
    this kind, returning why some no longer apply (by `NoticeData.id`)."""
    notifications.notice_kind_register(kind, render=render, applies=applies)


def notice_enqueue_on_commit(
    *,
    kind: str,
    recipient_id: int,
    object_ref: str,
    context: dict[str, Any] | None = None,
    channel: str = "email",
    send_after: datetime | None = None,
) -> UUID:
    """Queue a notice in the caller's transaction, once per (kind, object, recipient,
    channel); returns its public id."""
    return notifications.notice_enqueue_on_commit(
        kind=kind,
        recipient_id=recipient_id,
        object_ref=object_ref,
        context=context,
        channel=channel,
        send_after=send_after,
    ).public_id


def notices_plan(
    *,
    kind: str,
    rows: QuerySet[Any],
    now: datetime,
    channel: str = "email",
    send_now: bool = False,
) -> int:
    """Plan many notices from one query of the calling app, in one statement: `rows` is a
    `.values()` query with the columns `recipient` (user id), `ref` (what it is about),
    `due` (send after) and `ctx` (a JSON object for the renderer). A notice planned before
    (same kind, ref, recipient, channel) is not planned again. Returns how many are new.
    `send_now`: queue their sending after the caller's commit instead of waiting for the
    dispatcher."""
    return notifications.notices_plan(
        kind=kind, channel=channel, rows=rows, now=now, send_now=send_now
    )


def people_consenting(*, purpose: str) -> QuerySet[User]:
    """People who can receive notices and whose latest choice for `purpose` is yes (a query
    to narrow further, not a list)."""
    return notifications.people_consenting(purpose=purpose)


def people_inactive_since(*, since: datetime) -> QuerySet[User]:
    """People with the learning-reminders consent, here since before `since`, with nothing
    added to their learning record since then (other apps narrow it with their own signs
    of learning)."""
    return (
        notifications.people_consenting(purpose=ConsentRecord.Purpose.LEARNING_REMINDERS)
        .filter(date_joined__lt=since)
        .exclude(
            Exists(LearningRecord.objects.filter(citizen_id=OuterRef("pk"), created_at__gte=since))
        )
    )
