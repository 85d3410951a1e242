"""The opt-in public profile: switched on and off with its consent, and its shareable link."""

from django.db import transaction

from learnprofile.audit.services import audit_record
from profiles.models import ConsentRecord, PublicProfile, User
from profiles.services.privacy.consent import consent_set


@transaction.atomic
def public_profile_update(
    *, actor: User, is_enabled: bool, display_name: str, headline: str
) -> PublicProfile:
    """Switch the public profile on or off; doing so grants or withdraws the
    `public_profile` consent in the same transaction."""
    public_profile, _created = PublicProfile.objects.select_for_update().get_or_create(user=actor)
    public_profile.is_enabled = is_enabled
    public_profile.display_name = display_name.strip()
    public_profile.headline = headline.strip()
    public_profile.full_clean(exclude=["user"])
    public_profile.save()
    consent_set(actor=actor, purpose=ConsentRecord.Purpose.PUBLIC_PROFILE, is_granted=is_enabled)
    return public_profile


@transaction.atomic
def public_profile_new_link(*, actor: User) -> PublicProfile:
    """Replace the shareable link: the old one stops working at once."""
    public_profile, _created = PublicProfile.objects.select_for_update().get_or_create(user=actor)
    public_profile.slug = PublicProfile._meta.get_field("slug").get_default()
    public_profile.save(update_fields=["slug", "updated_at"])
    audit_record(
        actor=actor,
        action="public_profile.new_link",
        object_type="user",
        object_id=actor.public_id,
    )
    return public_profile
