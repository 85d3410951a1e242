"""Accounts that center staff open for walk-in learners, and handing their records over.

A walk-in learner may have no email and no smartphone. Staff open an *assisted* account
for them: a real `User` (so enrollments, attendance and the ledger work unchanged) whose
email is a unique address under the reserved `.invalid` domain (RFC 2606: never
deliverable), with no usable password. Nobody signs in with it and nothing is mailed to it.
When the learner later opens their own account, `courses` moves the records over (the claim)
and may move them back (an undone claim); the ledger and the national ID number move through
the functions below.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from learnprofile.audit.services import audit_record
from learnprofile.text import person_name_normalise
from profiles.models import AdministrativeUnit, CitizenProfile, LearningRecord, User
from profiles.national_id import national_id_hash, national_id_normalise
from profiles.phone import phone_normalise
from profiles.services import NationalIdAlreadyRegistered

ASSISTED_EMAIL_DOMAIN = "assisted.invalid"
FOUND_PEOPLE_LIMIT = 10
FULL_NAME_MAX_LENGTH = 150


@dataclass(frozen=True)
class AssistedPersonInput:
    full_name: str
    phone: str = ""
    ward_id: int | None = None
    national_id: str = ""


def _cleaned(person: AssistedPersonInput) -> tuple[str, str, AdministrativeUnit, str | None, str]:
    errors: dict[str, list[ValidationError]] = {}
    full_name = person_name_normalise(person.full_name)
    if not full_name:
        errors["full_name"] = [ValidationError(_("Hãy nhập họ và tên."), code="required")]
    elif len(full_name) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = [ValidationError(_("Họ và tên quá dài."), code="max_length")]
    phone = ""
    if person.phone.strip():
        try:
            phone = phone_normalise(person.phone)
        except ValidationError as error:
            errors["phone"] = [error]
    ward = (
        AdministrativeUnit.objects.filter(pk=person.ward_id, level="ward").first()
        if person.ward_id is not None
        else None
    )
    if ward is None:
        errors["ward"] = [ValidationError(_("Hãy chọn xã/phường nơi cư trú."), code="required")]
    hashed: str | None = None
    last4 = ""
    if person.national_id.strip():
        try:
            digits = national_id_normalise(person.national_id)
        except ValidationError as error:
            errors["national_id"] = [error]
        else:
            hashed, last4 = national_id_hash(digits), digits[-4:]
    if errors or ward is None:
        raise ValidationError(errors)
    return full_name, phone, ward, hashed, last4


@transaction.atomic
def assisted_person_create(*, actor: User, person: AssistedPersonInput) -> User:
    """Open an assisted account with a profile. Not idempotent: callers look for the person
    first (`persons_find`). Raises ValidationError (bad field, in the user's language) or
    NationalIdAlreadyRegistered (the number belongs to a profile already); writes nothing then.
    """
    full_name, phone, ward, hashed, last4 = _cleaned(person)
    if hashed is not None and CitizenProfile.objects.filter(national_id_hash=hashed).exists():
        raise NationalIdAlreadyRegistered(
            _("Số CCCD này đã có trong hệ thống. Hãy tìm người học theo số này.")
        )
    user = User.objects.create_user(
        email=f"{uuid.uuid4().hex}@{ASSISTED_EMAIL_DOMAIN}", password=None, is_assisted=True
    )
    CitizenProfile.objects.create(
        user=user,
        full_name=full_name,
        phone=phone,
        residence_ward=ward,
        national_id_hash=hashed,
        national_id_last4=last4,
    )
    audit_record(
        actor=actor,
        action="profile.assisted_created",
        object_type="user",
        object_id=user.public_id,
        details={"has_phone": bool(phone), "has_national_id": hashed is not None},
    )
    return user


def persons_find(*, phone: str = "", national_id: str = "") -> list[User]:
    """People whose profile has this phone number or national ID number (either may be
    empty). The phone may be typed in any form `profiles.phone.phone_parse` accepts (an old
    11-digit mobile number finds the person by today's number). Raises ValidationError keyed
    by field (`phone` with code `invalid_phone`, `national_id`) for a malformed value, before
    any query. Erased accounts are never found."""
    condition = Q()
    if phone.strip():
        try:
            condition |= Q(citizen_profile__phone=phone_normalise(phone))
        except ValidationError as error:
            raise ValidationError({"phone": [error]}) from error
    if national_id.strip():
        condition |= Q(
            citizen_profile__national_id_hash=national_id_hash(national_id_normalise(national_id))
        )
    if not condition:
        return []
    return list(
        User.objects.select_related("citizen_profile")
        .filter(condition, erased_at__isnull=True, is_active=True)
        .order_by("id")[:FOUND_PEOPLE_LIMIT]
    )


def learning_records_move(
    *, from_user_id: int, to_user_id: int, record_ids: list[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Give ledger rows of one person to another (a claimed walk-in account, or the claim
    undone): all of them, or only `record_ids`. Returns the public ids moved. Runs in the
    caller's transaction, which writes the audit row."""
    records = LearningRecord.objects.select_for_update().filter(citizen_id=from_user_id)
    if record_ids is not None:
        records = records.filter(public_id__in=record_ids)
    moved = list(records.order_by("id").values_list("public_id", flat=True))
    LearningRecord.objects.filter(public_id__in=moved).update(citizen_id=to_user_id)
    return moved


def national_id_move(*, from_user_id: int, to_user_id: int) -> bool:
    """Move the national ID number on file from one profile to another that has none.
    Returns whether it moved. Runs in the caller's transaction."""
    profiles = {
        profile.user_id: profile
        for profile in CitizenProfile.objects.select_for_update()
        .filter(user_id__in=[from_user_id, to_user_id])
        .order_by("id")
    }
    source, target = profiles.get(from_user_id), profiles.get(to_user_id)
    if source is None or target is None or source.national_id_hash is None:
        return False
    if target.national_id_hash is not None:
        return False
    hashed, last4 = source.national_id_hash, source.national_id_last4
    source.national_id_hash, source.national_id_last4 = None, ""
    source.save(update_fields=["national_id_hash", "national_id_last4", "updated_at"])
    target.national_id_hash, target.national_id_last4 = hashed, last4
    target.save(update_fields=["national_id_hash", "national_id_last4", "updated_at"])
    return True
