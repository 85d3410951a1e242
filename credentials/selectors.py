"""Reads of achievements, batches and credentials, and the permission-checked getters the
issuer's pages and the API share: one per object type (`achievement_for_issuer`,
`batch_for_issuer`, `credential_for_issuer`), each raising NotPermitted for someone who
issues for no organization and NotFound for an object of an organization that is not theirs
(the pages answer 403 and 404, the API the same statuses with its error body)."""

import uuid

from django.utils.translation import gettext as _

from credentials.models import Achievement, Credential, IssuanceBatch
from credentials.permissions import Actor, issuer_organization_ids
from learnprofile.errors import NotFound, NotPermitted


def _issuer_organization_ids_or_refuse(actor: Actor) -> set[int]:
    organization_ids = issuer_organization_ids(actor)
    if not organization_ids:
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ mới làm được việc này."))
    return organization_ids


def achievement_for_issuer(*, actor: Actor, achievement_id: uuid.UUID) -> Achievement:
    """The achievement (by public id) if `actor` may issue it. NotPermitted for someone who
    issues for no organization; NotFound for an achievement of an organization that is not
    theirs."""
    organization_ids = _issuer_organization_ids_or_refuse(actor)
    achievement = Achievement.objects.filter(
        public_id=achievement_id, organization_id__in=organization_ids
    ).first()
    if achievement is None:
        raise NotFound(_("Không tìm thấy mẫu chứng chỉ."))
    return achievement


def batch_for_issuer(*, actor: Actor, batch_id: uuid.UUID) -> IssuanceBatch:
    """The issuance batch (by public id, with its achievement) if `actor` issues for its
    achievement's organization. NotPermitted for someone who issues for no organization;
    NotFound for a batch of another organization."""
    organization_ids = _issuer_organization_ids_or_refuse(actor)
    batch = (
        IssuanceBatch.objects.select_related("achievement")
        .filter(public_id=batch_id, achievement__organization_id__in=organization_ids)
        .first()
    )
    if batch is None:
        raise NotFound(_("Không tìm thấy đợt cấp."))
    return batch


def credential_for_issuer(*, actor: Actor, credential_id: uuid.UUID) -> Credential:
    """The credential (by public id, with its achievement) if `actor` issues for its
    achievement's organization. NotPermitted for someone who issues for no organization;
    NotFound for a credential of another organization."""
    organization_ids = _issuer_organization_ids_or_refuse(actor)
    credential = (
        Credential.objects.select_related("achievement")
        .filter(public_id=credential_id, achievement__organization_id__in=organization_ids)
        .first()
    )
    if credential is None:
        raise NotFound(_("Không tìm thấy chứng chỉ."))
    return credential
