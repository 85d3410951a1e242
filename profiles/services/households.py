"""Households ("Learning Family"): create, invite, accept or decline, leave.

A person joins only by accepting an invitation addressed to them; what members see of each
other's learning is decided by each member's own consent (see selectors).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from learnprofile.absolute_urls import absolute_url
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from learnprofile.jobs.email import email_send_on_commit
from learnprofile.text import email_canonical, typed_code_normalise
from profiles.models import Household, HouseholdInvitation, HouseholdMember, User
from profiles.phone import phone_normalise

HOUSEHOLD_MAX_MEMBERS = 20


class AlreadyInHousehold(Conflict):
    code = "already_in_household"


class InvitationNotForYou(NotPermitted):
    code = "invitation_not_for_you"


@transaction.atomic
def household_create(*, actor: User, name: str) -> Household:
    """Create a household with the actor as its owner. Raises AlreadyInHousehold."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Hãy đặt tên cho gia đình.")]})
    if HouseholdMember.objects.filter(user=actor).exists():
        raise AlreadyInHousehold(_("Bạn đang ở trong một gia đình. Hãy rời gia đình đó trước."))
    household = Household(name=name, created_by=actor)
    household.full_clean(exclude=["created_by"])
    household.save()
    try:
        with transaction.atomic():
            HouseholdMember.objects.create(
                household=household, user=actor, role=HouseholdMember.Role.OWNER
            )
    except IntegrityError as error:  # joined another household at the same moment
        raise AlreadyInHousehold(
            _("Bạn đang ở trong một gia đình. Hãy rời gia đình đó trước.")
        ) from error
    audit_record(
        actor=actor,
        action="household.created",
        object_type="household",
        object_id=household.public_id,
    )
    return household


def _membership_of(actor: User) -> HouseholdMember:
    membership = HouseholdMember.objects.select_related("household").filter(user=actor).first()
    if membership is None:
        raise NotFound(_("Bạn chưa ở trong gia đình nào."))
    return membership


@transaction.atomic
def household_invite(*, actor: User, email: str = "", phone: str = "") -> HouseholdInvitation:
    """Invite someone to the actor's household by email or phone (one of the two).

    Any member may invite. An email invitation is mailed with a link; for a phone number the
    inviter passes the code on (by voice or message). Inviting the same address again
    while an invitation is pending returns that invitation. Raises ValidationError for a
    bad address, NotFound if the actor has no household.
    """
    membership = _membership_of(actor)
    household = membership.household
    email = email_canonical(email)  # either form of an IDN address (decision 0009)
    phone = phone.strip()
    if bool(email) == bool(phone):
        raise ValidationError(
            {"email": [_("Hãy nhập email hoặc số điện thoại của người được mời (một trong hai).")]}
        )
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from error
    else:
        try:
            phone = phone_normalise(phone)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from error
    if household.members.count() >= HOUSEHOLD_MAX_MEMBERS:
        raise Conflict(
            _("Một gia đình có tối đa %(count)d thành viên.") % {"count": HOUSEHOLD_MAX_MEMBERS}
        )
    now = timezone.now()
    pending = household.invitations.filter(
        status=HouseholdInvitation.Status.PENDING, expires_at__gt=now, email=email, phone=phone
    ).first()
    if pending is not None:
        return pending
    invitation = HouseholdInvitation.objects.create(
        household=household,
        invited_by=actor,
        email=email,
        phone=phone,
        expires_at=now + timedelta(days=settings.HOUSEHOLD_INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        action="household.invited",
        object_type="household",
        object_id=household.public_id,
        details={"channel": "email" if email else "phone"},
    )
    if email:
        _invitation_email_on_commit(invitation, actor)
    return invitation


def _invitation_email_on_commit(invitation: HouseholdInvitation, actor: User) -> None:
    invitee = User.objects.filter(email=invitation.email).first()
    language = invitee.preferred_language if invitee is not None else settings.LANGUAGE_CODE
    profile = getattr(actor, "citizen_profile", None)
    context = {
        "inviter": profile.full_name if profile is not None and profile.full_name else actor.email,
        "household": invitation.household.name,
        "link": absolute_url("household_join", kwargs={"code": invitation.code}),
        "code": invitation.code,
        "expires_at": invitation.expires_at,
    }
    with translation.override(language):
        subject = str(
            _("Lời mời tham gia “Gia đình học tập” %(name)s") % {"name": invitation.household.name}
        )
        body = render_to_string("profiles/email/household_invitation.txt", context)
    email_send_on_commit(
        to=[invitation.email],
        subject=subject,
        body=body,
        dedupe_key=f"household.invitation:{invitation.pk}",
    )


def _invitation_for_actor(actor: User, code: str) -> HouseholdInvitation:
    invitation = (
        HouseholdInvitation.objects.select_for_update()
        .select_related("household")
        .filter(code=typed_code_normalise(code).upper())
        .first()
    )
    if invitation is None:
        raise NotFound(_("Không tìm thấy lời mời với mã này."))
    profile = getattr(actor, "citizen_profile", None)
    is_addressed_to_actor = (invitation.email and invitation.email == actor.email) or (
        invitation.phone and profile is not None and invitation.phone == profile.phone
    )
    if not is_addressed_to_actor:
        raise InvitationNotForYou(
            _(
                "Lời mời này gửi tới một email hoặc số điện thoại khác. Hãy đăng nhập bằng "
                "tài khoản có email đó, hoặc cập nhật số điện thoại trong hồ sơ của bạn."
            )
        )
    if invitation.status != HouseholdInvitation.Status.PENDING:
        raise Conflict(_("Lời mời này đã được dùng hoặc đã bị hủy."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("Lời mời này đã hết hạn. Hãy nhờ người mời gửi lời mời mới."))
    return invitation


@transaction.atomic
def household_invitation_accept(*, actor: User, code: str) -> HouseholdMember:
    """Join the household of an invitation addressed to the actor. Locks the invitation, so
    it is used once. Joining does not share anything: sharing is a separate consent."""
    invitation = _invitation_for_actor(actor, code)
    if HouseholdMember.objects.filter(user=actor).exists():
        raise AlreadyInHousehold(_("Bạn đang ở trong một gia đình. Hãy rời gia đình đó trước."))
    if invitation.household.members.count() >= HOUSEHOLD_MAX_MEMBERS:
        raise Conflict(
            _("Một gia đình có tối đa %(count)d thành viên.") % {"count": HOUSEHOLD_MAX_MEMBERS}
        )
    try:
        with transaction.atomic():
            member = HouseholdMember.objects.create(household=invitation.household, user=actor)
    except IntegrityError as error:
        raise AlreadyInHousehold(
            _("Bạn đang ở trong một gia đình. Hãy rời gia đình đó trước.")
        ) from error
    invitation.status = HouseholdInvitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_record(
        actor=actor,
        action="household.joined",
        object_type="household",
        object_id=invitation.household.public_id,
    )
    return member


@transaction.atomic
def household_invitation_decline(*, actor: User, code: str) -> HouseholdInvitation:
    invitation = _invitation_for_actor(actor, code)
    invitation.status = HouseholdInvitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_record(
        actor=actor,
        action="household.invitation_declined",
        object_type="household",
        object_id=invitation.household.public_id,
    )
    return invitation


@transaction.atomic
def household_invitation_revoke(*, actor: User, code: str) -> HouseholdInvitation:
    """A member withdraws a pending invitation of their household."""
    membership = _membership_of(actor)
    invitation = (
        membership.household.invitations.select_for_update()
        .filter(code=code, status=HouseholdInvitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        raise NotFound(_("Không tìm thấy lời mời."))
    invitation.status = HouseholdInvitation.Status.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_record(
        actor=actor,
        action="household.invitation_revoked",
        object_type="household",
        object_id=membership.household.public_id,
    )
    return invitation


@transaction.atomic
def household_leave(*, actor: User) -> None:
    """Leave the household at once: from the next request on, nothing of it is visible to
    the actor, nor the actor's learning to it. The oldest remaining member becomes owner;
    the last one out closes the household and its pending invitations."""
    membership = _membership_of(actor)
    household = Household.objects.select_for_update().get(pk=membership.household_id)
    membership.delete()
    successor = household.members.order_by("joined_at", "id").first()
    audit_record(
        actor=actor, action="household.left", object_type="household", object_id=household.public_id
    )
    if successor is None:
        household.delete()
    elif membership.role == HouseholdMember.Role.OWNER:
        successor.role = HouseholdMember.Role.OWNER
        successor.save(update_fields=["role"])
