from datetime import date, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from profiles.data import LearningCategory, LearningRecordKind
from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    LearningRecord,
    Membership,
    Organization,
    User,
)
from profiles.places import administrative_units_sync


def units_loaded() -> None:
    """The data migration loads the units; a transactional test's flush empties the table, so
    load them again for the tests that follow it."""
    if not AdministrativeUnit.objects.exists():
        administrative_units_sync(unit_model=AdministrativeUnit)


def ward(codename: str = "phuong_hoan_kiem") -> AdministrativeUnit:
    """A real ward from the loaded units (the data migration loads all 3,321)."""
    units_loaded()
    return AdministrativeUnit.objects.get(level="ward", codename=codename)


def province(codename: str = "ha_noi") -> AdministrativeUnit:
    units_loaded()
    return AdministrativeUnit.objects.get(level="province", codename=codename)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda number: f"person{number}@example.vn")
    password = factory.django.Password("Mat-khau-an-toan-2026")

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def profile(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            CitizenProfile.objects.create(
                user=self, full_name=kwargs.get("full_name", "Nguyễn Văn An")
            )


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda number: f"Trung tâm học tập cộng đồng số {number}")
    slug = factory.Sequence(lambda number: f"center-{number}")
    kind = Organization.Kind.COMMUNITY_LEARNING_CENTER
    ward = factory.LazyFunction(ward)
    is_approved = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.STAFF


def learning_records_bulk(user: User, count: int, **fields: object) -> list[LearningRecord]:
    """`count` verified course completions spread over years, written in one statement."""
    today = date.today()  # noqa: DTZ011 - a plain date for test data
    records = [
        LearningRecord(
            citizen=user,
            kind=fields.get("kind", LearningRecordKind.COURSE_COMPLETED),
            title=f"Khóa học số {number}",
            category=fields.get("category", LearningCategory.DIGITAL_SKILLS),
            hours=Decimal("2.5"),
            occurred_on=today - timedelta(days=number * 3),
            source_app="courses",
            source_id=f"bulk:{user.pk}:{number}",
            verification_status=LearningRecord.Verification.VERIFIED,
        )
        for number in range(count)
    ]
    return LearningRecord.objects.bulk_create(records)


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def with_mfa(*users: object) -> None:
    """Give staff a TOTP authenticator, so /staff/ and the staff API let them in."""
    for user in users:
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
