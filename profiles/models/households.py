"""Learning Families: households, their members and invitations."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Household(models.Model):
    """A "Learning Family": people who chose to learn together and see each other's progress."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên gia đình"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    """A person in a household; one household per person at a time."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Chủ hộ")
        MEMBER = "member", _("Thành viên")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_membership"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(role="owner"),
                name="household_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.household_id}"


def _invitation_code() -> str:
    # 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L): easy to read aloud.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class HouseholdInvitation(models.Model):
    """An invitation to join a household, addressed to an email or a phone number.

    The invitee joins only by accepting, signed in as the person it names: by the link in
    the email, or by typing the code the inviter tells them (for a phone number).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        ACCEPTED = "accepted", _("Đã nhận lời")
        DECLINED = "declined", _("Đã từ chối")
        REVOKED = "revoked", _("Đã hủy")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=15, blank=True)
    code = models.CharField(max_length=10, unique=True, default=_invitation_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="invitation_has_address"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="invitation_email_idx"),
            models.Index(fields=["phone"], name="invitation_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.code
