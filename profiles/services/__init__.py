"""Writes for people, places and roles. Each function owns its transaction and audit row."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict
from learnprofile.text import person_name_normalise
from profiles import permissions
from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    Language,
    Membership,
    Organization,
    RegionalAdminScope,
    User,
)
from profiles.national_id import national_id_hash, national_id_normalise
from profiles.phone import phone_normalise


class NationalIdAlreadyRegistered(Conflict):
    code = "national_id_taken"


def citizen_profile_ensure(*, user: User, full_name: str = "") -> CitizenProfile:
    """Return the user's profile, creating an empty one if missing. Idempotent."""
    profile, created = CitizenProfile.objects.get_or_create(
        user=user, defaults={"full_name": person_name_normalise(full_name)}
    )
    if created:
        audit_record(
            actor=user, action="profile.created", object_type="profile", object_id=profile.pk
        )
    return profile


@transaction.atomic
def citizen_profile_update(
    *,
    actor: User,
    profile: CitizenProfile,
    full_name: str,
    date_of_birth: date | None,
    phone: str,
    residence_ward: AdministrativeUnit | None,
    preferred_language: str,
    national_id: str | None = None,
) -> CitizenProfile:
    """Update a profile. `national_id`: None keeps the one on file, a value replaces it.

    Raises ValidationError for bad values, NationalIdAlreadyRegistered if another profile
    holds the same number. Not idempotent in the audit log (each call is recorded).
    """
    changed: list[str] = []
    try:
        normalised_phone = phone_normalise(phone) if phone else ""
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    values = {
        "full_name": person_name_normalise(full_name),
        "date_of_birth": date_of_birth,
        "phone": normalised_phone,
        "residence_ward": residence_ward,
    }
    for field, value in values.items():
        if getattr(profile, field) != value:
            setattr(profile, field, value)
            changed.append(field)
    if national_id:
        try:
            normalised = national_id_normalise(national_id)
        except ValidationError as error:
            raise ValidationError({"national_id": error.messages}) from error
        profile.national_id_hash = national_id_hash(normalised)
        profile.national_id_last4 = normalised[-4:]
        changed.append("national_id")
    profile.full_clean(exclude=["user", "national_id_hash"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:
        if "profile_national_id_unique" in str(error):
            raise NationalIdAlreadyRegistered(
                _("Số định danh này đã được đăng ký cho một hồ sơ khác.")
            ) from error
        raise
    user = profile.user
    if user.preferred_language != preferred_language:
        user.preferred_language = preferred_language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["preferred_language"])
        changed.append("preferred_language")
    audit_record(
        actor=actor,
        action="profile.updated",
        object_type="profile",
        object_id=profile.pk,
        details={"fields": changed},
    )
    return profile


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language the person chose for this site (a `Language` value), so their
    emails are written in it too. Idempotent. Not audited: a display preference switched
    from any page, like the cookie set with it (a change made on the profile form is
    recorded by `citizen_profile_update`). Raises ValueError for an unknown language."""
    if language not in Language.values:
        raise ValueError(f"Unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(preferred_language=language)


def learner_summary_open(*, actor: User, public_id: UUID) -> User | None:
    """The active learner with `public_id` whose read-only summary `actor` (center staff)
    asks to see, or None when there is none or the actor may not see them (no hint which).
    Writes the audit row either way, about the public id asked for: `learner.viewed` or
    `learner.view_refused`. Not idempotent: every look is recorded."""
    learner = User.objects.filter(public_id=public_id, is_active=True).first()
    if learner is None or not permissions.may_view_learner(actor, learner.pk):
        audit_record(
            actor=actor,
            action="learner.view_refused",
            object_type="user",
            object_id=public_id,
        )
        return None
    audit_record(actor=actor, action="learner.viewed", object_type="user", object_id=public_id)
    return learner


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    kind: str,
    ward: AdministrativeUnit,
    address: str = "",
    is_approved: bool = False,
) -> Organization:
    organization = Organization(
        name=name, slug=slug, kind=kind, ward=ward, address=address, is_approved=is_approved
    )
    organization.full_clean()
    organization.save()
    audit_record(
        actor=actor,
        action="organization.created",
        object_type="organization",
        object_id=organization.public_id,
    )
    return organization


@transaction.atomic
def membership_grant(
    *, actor: User | None, user: User, organization: Organization, role: str
) -> Membership:
    """Give `user` a role at `organization`. Idempotent: granting twice returns the same row."""
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.granted",
            object_type="membership",
            object_id=membership.pk,
            details={
                "user": str(user.public_id),
                "organization": str(organization.public_id),
                "role": role,
            },
        )
    return membership


@transaction.atomic
def regional_scope_grant(
    *, actor: User | None, user: User, unit: AdministrativeUnit
) -> RegionalAdminScope:
    """Make `user` a regional administrator of `unit`. Idempotent."""
    scope, created = RegionalAdminScope.objects.get_or_create(user=user, unit=unit)
    if created:
        audit_record(
            actor=actor,
            action="regional_scope.granted",
            object_type="regional_scope",
            object_id=scope.pk,
            details={"user": str(user.public_id), "unit": unit.code, "level": unit.level},
        )
    return scope
