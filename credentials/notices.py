"""The notices credentials sends through the profiles outbox: "a credential was issued to
you", with its verification link, and "your credential expires in 30 days", with the next
class of a matching course near the learner. Registered at start-up (apps.ready); the
expiring ones are planned daily by beat (`credentials_expiring_plan`)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import DateTimeField, F, TextField, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses import api as courses_api
from credentials import documents
from credentials.models import Credential
from credentials.services.issuance import credential_url
from learnprofile.formatting import date_for_people
from notices import api as notices_api
from notices.data import NoticeKind
from profiles import api as profiles_api

CREDENTIAL_ISSUED = NoticeKind.CREDENTIAL_ISSUED
CREDENTIAL_EXPIRING = NoticeKind.CREDENTIAL_EXPIRING


EXPIRING_DAYS = 30


def _in_language(context: dict[str, Any]) -> dict[str, Any]:
    """The achievement's name in the recipient's language (English when it has one)."""
    if get_language() == "en" and context.get("achievement_en"):
        return {**context, "achievement": context["achievement_en"]}
    return context


def _signed_facts(document: Any) -> dict[str, Any]:
    """What an e-mail about a credential may say about it: what was signed."""
    facts: dict[str, Any] = {"valid_from": document.get("validFrom", "")}
    name = documents.holder_name(document)
    if name is not None:
        facts["name"] = name
    return facts


def _credential_issued_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = _in_language(notice.context)
    if "valid_from" not in context:
        # Queued before the signed facts travelled with the notice: read them once.
        document = (
            Credential.objects.filter(public_id=UUID(notice.object_ref.split(":")[1]))
            .values_list("document", flat=True)
            .first()
        )
        context = {**context, **_signed_facts(document or {})}
    return notices_api.Message(
        subject=_("Bạn được cấp chứng chỉ: %(achievement)s")
        % {"achievement": context["achievement"]},
        text=render_to_string("credentials/email/credential_issued.txt", context),
    )


def credentials_expiring_plan(*, now: datetime | None = None) -> int:
    """Tell the holders of standing credentials that expire in EXPIRING_DAYS (daily; a day
    missed is caught up the next). Returns how many notices were planned."""
    now = now or timezone.now()
    rows = Credential.objects.filter(
        revoked_at__isnull=True,
        valid_until__gte=now + timedelta(days=EXPIRING_DAYS - 1),
        valid_until__lt=now + timedelta(days=EXPIRING_DAYS + 1),
    ).values(
        recipient=F("learner_id"),
        ref=Concat(
            Value("credential:"),
            Cast(F("public_id"), TextField()),
            Value(":expiring"),
            output_field=TextField(),
        ),
        due=Value(now, output_field=DateTimeField()),
        ctx=JSONObject(
            credential=Cast(F("public_id"), TextField()),
            name=profiles_api.person_full_name_expression(user_id_field="learner_id"),
            achievement=F("achievement__name_vi"),
            achievement_en=F("achievement__name_en"),
            valid_until=F("valid_until"),
        ),
    )
    return notices_api.notices_plan(kind=CREDENTIAL_EXPIRING, rows=rows, now=now)


def _credential_expiring_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = _in_language(notice.context)
    credential = Credential.objects.select_related("achievement").get(
        public_id=UUID(context["credential"])
    )
    context = {**context, **_signed_facts(credential.document)}
    valid_until = credential.document.get("validUntil") or context["valid_until"]
    next_classes = (
        courses_api.open_offerings_near(
            learner_id=notice.recipient_id, course_ids=credential.achievement.course_ids, limit=1
        )
        if credential.achievement.course_ids
        else []
    )
    return notices_api.Message(
        subject=_("Chứng chỉ sắp hết hạn: %(achievement)s")
        % {"achievement": context["achievement"]},
        text=render_to_string(
            "credentials/email/credential_expiring.txt",
            {
                **context,
                "valid_until": date_for_people(valid_until),
                "link": credential_url(credential.public_id),
                "next": next_classes[0] if next_classes else None,
            },
        ),
    )


def _expiring_still_applies(notices: Sequence[notices_api.NoticeData]) -> dict[int, str]:
    """Not for a credential revoked since, nor one already expired."""
    ids = {notice.id: UUID(notice.context["credential"]) for notice in notices}
    standing = set(
        Credential.objects.filter(
            public_id__in=ids.values(), revoked_at__isnull=True, valid_until__gt=timezone.now()
        ).values_list("public_id", flat=True)
    )
    return {
        notice_id: "credential revoked or expired"
        for notice_id, credential_id in ids.items()
        if credential_id not in standing
    }


def _credentials_still_standing(
    notices: Sequence[notices_api.NoticeData],
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
    notices_api.notice_kind_register(
        CREDENTIAL_ISSUED, render=_credential_issued_render, applies=_credentials_still_standing
    )
    notices_api.notice_kind_register(
        CREDENTIAL_EXPIRING, render=_credential_expiring_render, applies=_expiring_still_applies
    )
