"""Frozen dataclasses that profiles.api returns to other apps."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class AdministrativeUnitData:
    id: int
    code: int
    level: str
    name: str
    province_name: str | None


@dataclass(frozen=True)
class OrganizationData:
    id: int
    public_id: UUID
    name: str
    kind: str
    ward: AdministrativeUnitData
    is_approved: bool


@dataclass(frozen=True)
class PersonData:
    id: int
    public_id: UUID
    email: str
    full_name: str
    preferred_language: str
