"""The holder decides whether their credential's verification page is public."""

from uuid import UUID

from django.db import transaction

from credentials.models import Credential
from learnprofile.audit.services import audit_record
from profiles.api import User


@transaction.atomic
def credential_visibility_set(*, actor: User, credential_id: UUID, public: bool) -> bool:
    """Show or hide the public page of one of `actor`'s credentials. False if it is not
    theirs (or does not exist)."""
    updated = Credential.objects.filter(public_id=credential_id, learner_id=actor.pk).update(
        is_public=public
    )
    if updated:
        audit_record(
            actor=actor,
            action="credential.shown" if public else "credential.hidden",
            object_type="credential",
            object_id=credential_id,
            details={},
        )
    return bool(updated)
