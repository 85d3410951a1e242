"""The notices credentials sends through the profiles outbox: "a credential was issued to
you", with its verification link. Registered at start-up (apps.ready)."""

from uuid import UUID

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from credentials.models import Credential
from profiles import api as profiles_api
from profiles.data import NoticeKind

CREDENTIAL_ISSUED = NoticeKind.CREDENTIAL_ISSUED


def _credential_issued_render(notice: profiles_api.NoticeData) -> profiles_api.Message:
    context = notice.context
    return profiles_api.Message(
        subject=_("Bạn được cấp chứng chỉ: %(achievement)s")
        % {"achievement": context["achievement"]},
        text=render_to_string("credentials/email/credential_issued.txt", context),
    )


def _credential_still_standing(notice: profiles_api.NoticeData) -> str | None:
    credential_id = UUID(notice.object_ref.removeprefix("credential:"))
    standing = Credential.objects.filter(public_id=credential_id, revoked_at__isnull=True)
    return None if standing.exists() else "credential revoked"


def notices_register() -> None:
    profiles_api.notice_kind_register(
        CREDENTIAL_ISSUED, render=_credential_issued_render, applies=_credential_still_standing
    )
