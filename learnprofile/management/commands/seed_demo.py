"""Demo data: a few centers in two provinces and one user per role. Refuses production."""

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.demo import demo_catalog_load, demo_finished_class_load, demo_running_class_load
from credentials.demo import demo_credentials_load
from profiles.models import AdministrativeUnit, Membership, Organization, User
from profiles.services import (
    citizen_profile_ensure,
    membership_grant,
    organization_create,
    regional_scope_grant,
)
from profiles.services.privacy.consent import consent_set

DEMO_PASSWORD = "HocTap@2026"  # noqa: S105 - printed on purpose: demo accounts only

DEMO_CENTERS = [
    # (slug, name, kind, province codename, ward codename)
    (
        "tthtcd-hoan-kiem",
        "Trung tâm học tập cộng đồng phường Hoàn Kiếm",
        "clc",
        "ha_noi",
        "phuong_hoan_kiem",
    ),
    (
        "tthtcd-ba-dinh",
        "Trung tâm học tập cộng đồng phường Ba Đình",
        "clc",
        "ha_noi",
        "phuong_ba_dinh",
    ),
    (
        "gdtx-ha-noi",
        "Trung tâm Giáo dục thường xuyên Hà Nội",
        "continuing_education",
        "ha_noi",
        "phuong_cau_giay",
    ),
    (
        "tthtcd-buon-ma-thuot",
        "Trung tâm học tập cộng đồng phường Buôn Ma Thuột",
        "clc",
        "dak_lak",
        "phuong_buon_ma_thuot",
    ),
    ("tthtcd-ea-kar", "Trung tâm học tập cộng đồng xã Ea Kar", "clc", "dak_lak", "xa_ea_kar"),
]

# (role label, email, full name, role at the first center or special)
DEMO_USERS = [
    ("Người học / Learner", "hocvien@demo.learnprofile.vn", "Nguyễn Thị Lan", None),
    (
        "Nhân viên trung tâm / Center staff",
        "nhanvien@demo.learnprofile.vn",
        "Trần Văn Minh",
        Membership.Role.STAFF,
    ),
    (
        "Quản lý trung tâm / Center manager",
        "quanly@demo.learnprofile.vn",
        "Lê Thị Hoa",
        Membership.Role.MANAGER,
    ),
    (
        "Quản trị cấp chứng chỉ / Issuer admin",
        "capchungchi@demo.learnprofile.vn",
        "Phạm Quốc Bảo",
        Membership.Role.ISSUER_ADMIN,
    ),
    (
        "Quản trị địa bàn / Regional admin",
        "diaban@demo.learnprofile.vn",
        "Hoàng Thu Trang",
        "regional",
    ),
    (
        "Quản trị quốc gia / National admin",
        "quantri@demo.learnprofile.vn",
        "Đỗ Đức Anh",
        "national",
    ),
]


class Command(BaseCommand):
    help = "Load demo centers and one user per role (idempotent). Refuses to run in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "ENVIRONMENT", "") == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        if not options["print_logins"]:
            # allauth's emails name the Site: the address this demo runs at (its port).
            Site.objects.filter(pk=settings.SITE_ID).update(domain=settings.SITE_DOMAIN)
            self._seed()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for label, email, _name, _role in DEMO_USERS:
            self.stdout.write(f"  {label:<40} {email}")
        self.stdout.write(
            "Staff and administrators set up an authenticator app (TOTP) on first visit to a staff page."
        )

    @transaction.atomic
    def _seed(self) -> None:
        units = AdministrativeUnit.objects.select_related("parent")
        centers = []
        for slug, name, kind, province_codename, ward_codename in DEMO_CENTERS:
            ward = units.get(
                level="ward", codename=ward_codename, parent__codename=province_codename
            )
            existing = Organization.objects.filter(slug=slug).first()
            centers.append(
                existing
                or organization_create(
                    actor=None,
                    name=name,
                    slug=slug,
                    kind=kind,
                    ward=ward,
                    address=f"{ward.name}, {ward.parent.name}",
                    is_approved=True,
                )
            )
        for _label, email, full_name, role in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            profile = citizen_profile_ensure(user=user, full_name=full_name)
            if not profile.full_name:
                profile.full_name = full_name
                profile.save(update_fields=["full_name"])
            if role == "regional":
                regional_scope_grant(
                    actor=None, user=user, unit=units.get(level="province", codename="dak_lak")
                )
            elif role == "national":
                if not user.is_staff:
                    user.is_staff = True
                    user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
            elif role is not None:
                membership_grant(actor=None, user=user, organization=centers[0], role=role)
        courses = demo_catalog_load(
            centers={
                slug: center for (slug, *_rest), center in zip(DEMO_CENTERS, centers, strict=True)
            }
        )
        learner = User.objects.get(email=DEMO_USERS[0][1])
        staff = User.objects.get(email=DEMO_USERS[1][1])
        # The demo learner lives near the first center and agreed to reminders and local news
        # (so the reminders and a broadcast to Hà Nội reach them).
        if learner.citizen_profile.residence_ward_id is None:
            learner.citizen_profile.residence_ward = centers[0].ward
            learner.citizen_profile.save(update_fields=["residence_ward"])
        for purpose in ("learning_reminders", "news"):
            consent_set(actor=learner, purpose=purpose, is_granted=True)
        demo_running_class_load(center=centers[0], learner=learner, staff=staff)
        finished = demo_finished_class_load(center=centers[0], learner=learner, staff=staff)
        demo_credentials_load(center=centers[0], course_id=finished, learner=learner)
        self.stdout.write(
            f"{len(centers)} demo centers, {len(DEMO_USERS)} demo users, {courses} new demo courses ready."
        )
