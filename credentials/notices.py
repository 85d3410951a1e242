"""The notices credentials sends through the profiles outbox: "a credential was issued to
you", with its verification link. Registered at start-up (apps.ready)."""

from collections.abc import Sequence
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


def _credentials_still_standing(
    notices: Sequence[profiles_api.NoticeData],
) -> dict[int, str]:
    """A credential revoked since it was issued is not announced."""
    ids = {notice.id: UUID(notice.object_ref.removeprefix("credential:")) for notice in notices}
    standing = set(
        Credential.objects.filter(public_id__in=ids.values(), revoked_at__isnull=True).values_list(
            "public_id", flat=True
        )
    )
    return {
        notice_id: "credential revoked"
        for notice_id, credential_id in ids.items()
        if credential_id not in standing
    }


def notices_register() -> None:
    profiles_api.notice_kind_register(
        CREDENTIAL_ISSUED, render=_credential_issued_render, applies=_credentials_still_standing
    )
