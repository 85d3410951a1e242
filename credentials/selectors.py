"""Reads of achievements, batches and credentials, and the permission-checked getters the
issuer's pages and the API share: one per object type (`achievement_for_issuer`,
`batch_for_issuer`, `credential_for_issuer`), each raising NotPermitted for someone who
issues for no organization and NotFound for an object of an organization that is not theirs
(the pages answer 403 and 404, the API the same statuses with its error body)."""

import uuid
from typing import TypeVar

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from courses import api as courses_api
from credentials.models import Achievement, Credential, Issuance, IssuanceBatch, SigningKey
from credentials.permissions import Actor, issuer_organization_ids
from learnprofile.errors import NotFound, NotPermitted
from learnprofile.formatting import person_name_masked
from profiles import api as profiles_api
from profiles.data import PersonData

# An object the issuer's getters return: an achievement, a batch or a credential.
IssuerObject = TypeVar("IssuerObject", Achievement, IssuanceBatch, Credential)


def _issuer_object(
    objects: QuerySet[IssuerObject], *, actor: Actor, public_id: uuid.UUID, not_found: str
) -> IssuerObject:
    """The one of `objects` (achievements, or batches or credentials, whose organization is
    their achievement's) with this public id, if its organization is one `actor` issues for.
    NotPermitted for someone who issues for no organization; NotFound (`not_found`) for an
    object of another organization."""
    organization_ids = issuer_organization_ids(actor)
    if not organization_ids:
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ mới làm được việc này."))
    field = "organization_id" if objects.model is Achievement else "achievement__organization_id"
    found = objects.filter(public_id=public_id, **{f"{field}__in": organization_ids}).first()
    if found is None:
        raise NotFound(not_found)
    return found


def achievement_for_issuer(*, actor: Actor, achievement_id: uuid.UUID) -> Achievement:
    """The achievement (by public id) if `actor` may issue it."""
    message = _("Không tìm thấy mẫu chứng chỉ.")
    achievements = Achievement.objects.all()
    return _issuer_object(achievements, actor=actor, public_id=achievement_id, not_found=message)


def batch_for_issuer(*, actor: Actor, batch_id: uuid.UUID) -> IssuanceBatch:
    """The issuance batch (by public id, with its achievement) if `actor` issues for its
    achievement's organization."""
    message = _("Không tìm thấy đợt cấp.")
    batches = IssuanceBatch.objects.select_related("achievement")
    return _issuer_object(batches, actor=actor, public_id=batch_id, not_found=message)


def credential_for_issuer(*, actor: Actor, credential_id: uuid.UUID) -> Credential:
    """The credential (by public id, with its achievement) if `actor` issues for its
    achievement's organization."""
    message = _("Không tìm thấy chứng chỉ.")
    credentials = Credential.objects.select_related("achievement")
    return _issuer_object(credentials, actor=actor, public_id=credential_id, not_found=message)


# --- The issuer's pages ----------------------------------------------------------------------


def issuer_achievements(*, organization_ids: set[int]) -> QuerySet[Achievement]:
    """The organizations' templates, active first then by Vietnamese name, each with
    `issued`: how many of its credentials stand (not revoked)."""
    return (
        Achievement.objects.filter(organization_id__in=organization_ids)
        .annotate(
            issued=Count("credentials", filter=Q(credentials__revoked_at__isnull=True)),
        )
        .order_by("-is_active", "name_vi")
    )


def issuer_batches_recent(*, organization_ids: set[int], limit: int) -> QuerySet[IssuanceBatch]:
    """The organizations' latest `limit` issuance batches, with their achievement."""
    return IssuanceBatch.objects.filter(
        achievement__organization_id__in=organization_ids
    ).select_related("achievement")[:limit]


def achievement_batches_recent(*, achievement: Achievement, limit: int) -> QuerySet[IssuanceBatch]:
    """The template's latest `limit` issuance batches."""
    return achievement.batches.all()[:limit]


def achievement_credentials(
    *, achievement: Achievement, contact: str, limit: int
) -> list[tuple[Credential, PersonData | None]]:
    """The template's latest `limit` credentials (newest first), or, when `contact` is given,
    those of the learners it names (an exact e-mail address or phone number,
    `profiles.api.contacts_match`: a phone a household shares names each of them), each with
    its holder (None for someone no longer there)."""
    credentials_of = Credential.objects.filter(achievement=achievement)
    if contact:
        found = profiles_api.contacts_match(contacts=[contact])
        learner_ids = [person.id for match in found.values() for person in match.people]
        credentials_of = credentials_of.filter(learner_id__in=learner_ids)
    credentials = list(credentials_of.order_by("-issued_at", "-id")[:limit])
    people = profiles_api.persons_get(user_ids={c.learner_id for c in credentials})
    return [(credential, people.get(credential.learner_id)) for credential in credentials]


def batch_issuances(*, batch: IssuanceBatch, limit: int) -> list[tuple[Issuance, str]]:
    """The batch's first `limit` requests with their credential: refusals first (what the
    administrator must act on), then in the order made; each with the learner's name as its
    issuer may see it: whole once issued a credential, or for someone who was in a class of
    the organization (`courses.api.learners_of_organization`), else masked
    (`person_name_masked`); "" for someone no longer there."""
    rows = list(
        Issuance.objects.filter(batch=batch)
        .select_related("credential")
        .order_by("-status", "id")[:limit]
    )
    people = profiles_api.persons_get(user_ids={row.learner_id for row in rows})
    # A request names anyone (the API takes a contact and any class): someone never in one of
    # the organization's classes is named whole only once issued a credential.
    tied = courses_api.learners_of_organization(
        organization_id=batch.achievement.organization_id, learner_ids=set(people)
    )
    names = {
        row.id: (
            person.full_name
            if row.credential_id or row.learner_id in tied
            else person_name_masked(person.full_name)
        )
        for row in rows
        if (person := people.get(row.learner_id)) is not None
    }
    return [(row, names.get(row.id, "")) for row in rows]


def credential_replacement_id(*, credential: Credential) -> uuid.UUID | None:
    """The public id of the credential that re-issued this one, if any."""
    return (
        Credential.objects.filter(replaces=credential).values_list("public_id", flat=True).first()
    )


# --- The holder's and the public pages ------------------------------------------------------


def credentials_of_learner(*, learner_id: int) -> QuerySet[Credential]:
    """The learner's credentials, with their achievement."""
    return Credential.objects.filter(learner_id=learner_id).select_related("achievement")


def credential_visible(*, viewer_id: int | None, credential_id: uuid.UUID) -> Credential:
    """The credential (with its achievement) if its page is public or `viewer_id` is its
    holder. NotFound otherwise, for a credential that does not exist too (the same answer)."""
    credential = (
        Credential.objects.select_related("achievement").filter(public_id=credential_id).first()
    )
    if credential is None or (not credential.is_public and credential.learner_id != viewer_id):
        raise NotFound(_("Không tìm thấy chứng chỉ."))
    return credential


def credential_latest_reissue(*, credential: Credential) -> uuid.UUID | None:
    """The newest credential of a chain of re-issues that starts at this one (None if it was
    never re-issued): a stranger with an old link reaches the current one in one step."""
    latest = None
    current_id = credential.pk
    for _hop in range(50):  # a chain is a few re-issues long; never loop forever
        found = (
            Credential.objects.filter(replaces_id=current_id).values_list("pk", "public_id").first()
        )
        if found is None:
            break
        current_id, latest = found
    return latest


def achievement_get(*, achievement_id: uuid.UUID) -> Achievement | None:
    """The template with this public id, or None."""
    return Achievement.objects.filter(public_id=achievement_id).first()


def achievement_image_png(*, achievement_id: uuid.UUID) -> bytes | None:
    """The template's badge image (PNG bytes), or None when it has none or does not exist."""
    image = (
        Achievement.objects.filter(public_id=achievement_id)
        .values_list("image_png", flat=True)
        .first()
    )
    return bytes(image) if image else None


def organization_has_signing_key(*, organization_id: int) -> bool:
    """Has the organization ever had a signing key (so a DID document to publish)?"""
    return SigningKey.objects.filter(organization_id=organization_id).exists()
