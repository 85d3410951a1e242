import factory
from allauth.account.models import EmailAddress

from profiles.models import AdministrativeUnit, CitizenProfile, Membership, Organization, User


def ward(codename: str = "phuong_hoan_kiem") -> AdministrativeUnit:
    """A real ward from the loaded units (the data migration loads all 3,321)."""
    return AdministrativeUnit.objects.get(level="ward", codename=codename)


def province(codename: str = "ha_noi") -> AdministrativeUnit:
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
