"""The models of profiles, one module per area; every name is importable from here.

The module-level helpers the migrations name (`profiles.models.validate_date_of_birth`,
`private_storage`, `evidence_upload_to`, `export_upload_to`, `_public_profile_slug`,
`_invitation_code`, `UserManager`) stay importable from this package so old migrations load.
"""

from profiles.models.households import (
    Household,
    HouseholdInvitation,
    HouseholdMember,
    _invitation_code,
)
from profiles.models.ledger import (
    EvidenceFile,
    LearningRecord,
    evidence_upload_to,
    export_upload_to,
    private_storage,
)
from profiles.models.organizations import Membership, Organization, RegionalAdminScope
from profiles.models.people import (
    EARLIEST_BIRTH_YEAR,
    CitizenProfile,
    Language,
    User,
    UserManager,
    validate_date_of_birth,
)
from profiles.models.places import AdministrativeUnit
from profiles.models.privacy import ConsentRecord, DataRequest, PublicProfile, _public_profile_slug

__all__ = [
    "EARLIEST_BIRTH_YEAR",
    "AdministrativeUnit",
    "CitizenProfile",
    "ConsentRecord",
    "DataRequest",
    "EvidenceFile",
    "Household",
    "HouseholdInvitation",
    "HouseholdMember",
    "Language",
    "LearningRecord",
    "Membership",
    "Organization",
    "PublicProfile",
    "RegionalAdminScope",
    "User",
    "UserManager",
    "_invitation_code",
    "_public_profile_slug",
    "evidence_upload_to",
    "export_upload_to",
    "private_storage",
    "validate_date_of_birth",
]
