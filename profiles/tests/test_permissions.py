"""permissions.py denies by default; every role against every rule."""

import pytest

from profiles import permissions
from profiles.models import Membership, Organization
from profiles.tests.factories import ward

ROLES = [
    "anonymous",
    "learner",
    "other_learner",
    "center_staff",
    "other_center_staff",
    "center_manager",
    "issuer_admin",
    "regional_admin",
    "national_admin",
]


def center_of(personas) -> Organization:
    return Membership.objects.get(user=personas.center_staff).organization


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", False),
        ("learner", False),
        ("other_learner", False),
        ("center_staff", True),
        ("other_center_staff", True),
        ("center_manager", True),
        ("issuer_admin", True),
        ("regional_admin", True),
        ("national_admin", True),
    ],
)
def test_who_has_a_privileged_role(personas, persona: str, expected: bool) -> None:
    assert permissions.has_privileged_role(getattr(personas, persona)) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", False),
        ("learner", False),
        ("other_learner", False),
        ("center_staff", False),
        ("other_center_staff", False),
        ("center_manager", True),
        ("issuer_admin", False),
        ("regional_admin", False),
        ("national_admin", False),
    ],
)
def test_only_the_centers_manager_manages_it(personas, persona: str, expected: bool) -> None:
    assert (
        permissions.may_manage_organization(getattr(personas, persona), center_of(personas))
        is expected
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ROLES)
def test_no_role_is_granted_by_an_empty_role_set(personas, persona: str) -> None:
    assert (
        permissions.may_act_for_organization(getattr(personas, persona), center_of(personas), set())
        is False
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "ward_codename", "expected"),
    [
        ("regional_admin", "phuong_hoan_kiem", True),  # a ward of the province in scope
        ("regional_admin", "xa_ea_kar", False),  # another province
        ("national_admin", "phuong_hoan_kiem", False),  # not a regional scope
        ("center_manager", "phuong_hoan_kiem", False),
        ("anonymous", "phuong_hoan_kiem", False),
    ],
)
def test_regional_scope_covers_the_wards_of_its_province(
    personas, persona: str, ward_codename: str, expected: bool
) -> None:
    assert (
        permissions.may_administer_unit(getattr(personas, persona), ward(ward_codename)) is expected
    )


@pytest.mark.django_db
def test_staff_of_one_center_do_not_act_for_another(personas) -> None:
    other_center = Membership.objects.get(user=personas.other_center_staff).organization

    assert not permissions.may_act_for_organization(
        personas.center_staff, other_center, {Membership.Role.STAFF}
    )
