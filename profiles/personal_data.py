"""Where a person's data lives: the tables an export reads, for every app.

Each table is declared once with the foreign keys that make a row "about" the person
(`covers`) and the columns that must never leave (secrets). A test walks every foreign key
to the user model in the project and fails when one is neither covered here nor listed in
`NOT_ABOUT_THE_PERSON` with its reason, so a new table cannot be forgotten.

Other apps declare their tables through `profiles.api.personal_data_table_register` (by
model label, so `profiles` imports no other app).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.db.models.fields.files import FieldFile

from profiles.models import User

RowFilter = Callable[[User], Q]


@dataclass(frozen=True)
class PersonalDataTable:
    label: str  # "app_label.modelname"
    covers: tuple[str, ...]  # foreign keys to the user that select the person's rows
    exclude: tuple[str, ...] = ()  # secrets and storage paths, never exported
    also: RowFilter | None = None  # rows about the person found another way
    notes: str = ""

    def rows(self, user: User) -> QuerySet[Model]:
        model = apps.get_model(self.label)
        condition = Q()
        for name in self.covers:
            condition |= Q(**{name: user.pk})
        if self.also is not None:
            condition |= self.also(user)
        rows: QuerySet[Model] = model._default_manager.filter(condition)
        return rows.distinct().order_by("pk")


# Foreign keys to the user that name someone acting on another person's data; the row
# belongs to that other person's export.
NOT_ABOUT_THE_PERSON: dict[tuple[str, str], str] = {
    ("profiles.learningrecord", "verified_by"): "staff member who verified a learner's record",
    ("profiles.household", "created_by"): "household exported through the membership",
    ("courses.attendancemark", "marked_by"): "staff member who marked a learner's attendance",
    ("courses.attendancechange", "actor"): "who changed a learner's attendance mark",
    ("courses.walkinlearner", "registered_by"): "staff member who registered a walk-in learner",
    ("courses.walkinclaim", "undone_by"): "staff member who undid a walk-in claim",
    ("credentials.credential", "revoked_by"): "issuer administrator who revoked a credential",
    ("credentials.issuancebatch", "created_by"): "issuer administrator who asked for a batch",
    ("credentials.issuance", "requested_by"): "issuer administrator who asked for an issuance",
}


def _invitations_to(user: User) -> Q:
    profile = getattr(user, "citizen_profile", None)
    condition = Q(email=user.email)
    if profile is not None and profile.phone:
        condition |= Q(phone=profile.phone)
    return condition


def _audit_about(user: User) -> Q:
    return Q(object_type="user", object_id=str(user.public_id))


_tables: dict[str, PersonalDataTable] = {}


def personal_data_table_register(table: PersonalDataTable) -> None:
    _tables[table.label] = table


def personal_data_tables() -> list[PersonalDataTable]:
    return list(_tables.values())


for _table in (
    PersonalDataTable("profiles.user", covers=("id",), exclude=("password",)),
    PersonalDataTable(
        "profiles.citizenprofile",
        covers=("user",),
        exclude=("national_id_hash",),
        notes="national_id_hash is a keyed hash of the ID number; only its last 4 digits are shown",
    ),
    PersonalDataTable("profiles.membership", covers=("user",)),
    PersonalDataTable("profiles.regionaladminscope", covers=("user",)),
    PersonalDataTable("profiles.learningrecord", covers=("citizen",)),
    PersonalDataTable(
        "profiles.evidencefile",
        covers=("owner",),
        exclude=("file",),
        notes="the files themselves are in the evidence/ folder of the export",
    ),
    PersonalDataTable("profiles.publicprofile", covers=("user",)),
    PersonalDataTable("profiles.household", covers=("members__user",)),
    PersonalDataTable("profiles.householdmember", covers=("user",)),
    PersonalDataTable("profiles.householdinvitation", covers=("invited_by",), also=_invitations_to),
    PersonalDataTable("profiles.consentrecord", covers=("user",)),
    PersonalDataTable("profiles.datarequest", covers=("user",), exclude=("file",)),
    PersonalDataTable("account.emailaddress", covers=("user",)),
    PersonalDataTable(
        "mfa.authenticator",
        covers=("user",),
        exclude=("data",),
        notes="the authenticator secrets are not exported",
    ),
    PersonalDataTable(
        "authtoken.token", covers=("user",), exclude=("key",), notes="the token itself is secret"
    ),
    PersonalDataTable("admin.logentry", covers=("user",)),
    PersonalDataTable(
        "audit.auditevent",
        covers=("actor",),
        also=_audit_about,
        notes="what you did, and who looked at your learner summary",
    ),
):
    personal_data_table_register(_table)


def row_to_dict(instance: Model, exclude: tuple[str, ...]) -> dict[str, Any]:
    """Every concrete column of a row except `exclude`, as JSON-ready values."""
    encoder = DjangoJSONEncoder()
    row: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in exclude or model_field.attname in exclude:
            continue
        value = getattr(instance, model_field.attname)
        if value is None or isinstance(value, str | int | bool | float | list | dict):
            row[model_field.attname] = value
        elif isinstance(value, FieldFile):
            row[model_field.attname] = value.name or None
        else:
            row[model_field.attname] = encoder.default(value)
    return row


def personal_data_collect(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every declared table's rows about `user`, keyed by model label."""
    return {
        table.label: [row_to_dict(row, table.exclude) for row in table.rows(user)]
        for table in personal_data_tables()
    }
