"""A person's choices of notices: one-click unsubscribe links (signed, no login) and the
preferences page, kind by kind and channel by channel."""

from dataclasses import dataclass
from uuid import UUID

from django.core import signing
from django.db import transaction

from learnprofile.absolute_urls import absolute_url
from notices import channels
from notices.data import NoticeChannel, NoticeKind
from notices.models import NotificationPreference
from profiles import api as profiles_api

# Named when the outbox lived in profiles; kept, so the links already sent keep working.
UNSUBSCRIBE_SALT = "profiles.unsubscribe"


def unsubscribe_token(*, user_public_id: UUID, kind: str, channel: str) -> str:
    """A signed token that switches one kind off on one channel for one person, no login."""
    token: str = signing.dumps(
        {"u": str(user_public_id), "k": kind, "c": channel}, salt=UNSUBSCRIBE_SALT
    )
    return token


def unsubscribe_url(*, user_public_id: UUID, kind: str, channel: str) -> str:
    token = unsubscribe_token(user_public_id=user_public_id, kind=kind, channel=channel)
    return absolute_url("unsubscribe", kwargs={"token": token})


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind: str
    channel: str


def unsubscribe_read(token: str) -> Unsubscription | None:
    """Who and what a token names; None for a forged, altered or unknown one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        person = profiles_api.person_get_by_public_id(public_id=UUID(data["u"]))
        kind, channel = data["k"], data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if person is None or kind not in NoticeKind.values or channel not in NoticeChannel.values:
        return None
    return Unsubscription(user_id=person.id, kind=kind, channel=channel)


@transaction.atomic
def unsubscribe_apply(unsubscription: Unsubscription) -> bool:
    """Switch it off; returns False when it was already off (the link was used before)."""
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user_id=unsubscription.user_id,
        kind=unsubscription.kind,
        channel=unsubscription.channel,
        defaults={"is_enabled": False},
    )
    if not created and not preference.is_enabled:
        return False
    if not created:
        preference.is_enabled = False
        preference.save(update_fields=["is_enabled", "updated_at"])
    return True


def preferences_get(*, user: profiles_api.User) -> set[tuple[str, str]]:
    """The (kind, channel) pairs switched off; every other pair is on."""
    return set(
        NotificationPreference.objects.filter(user=user, is_enabled=False).values_list(
            "kind", "channel"
        )
    )


@transaction.atomic
def preferences_set(*, user: profiles_api.User, enabled: set[tuple[str, str]]) -> None:
    """Switch on exactly the `enabled` pairs (unknown kinds are ignored) and off the rest,
    on the channels offered now (`channels.channels_available`). A choice on a channel that
    is off is kept as it was, unseen, for the day the channel is switched on. Raises
    ChannelNotAvailable, writing nothing, when `enabled` names a channel that is off."""
    for _kind, channel in enabled:
        channels.channel_require(channel)
    for kind in NoticeKind.values:
        for channel in channels.channels_available():
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                channel=channel,
                defaults={"is_enabled": (kind, channel) in enabled},
            )
