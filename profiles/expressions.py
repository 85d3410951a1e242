"""Expressions other apps put in their own queries (through `profiles.api`): one value of a
profiles row, read by a correlated subquery on the caller's key column, so the caller's
statement stays one statement without following a path into profiles' tables (decision 0011)."""

from django.db.models import CharField, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from profiles.models import AdministrativeUnit, CitizenProfile, Organization


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
