"""Public pages of credentials: the issuers' DID documents (did:web resolution) and the
signed status lists."""

from datetime import UTC
from uuid import UUID

from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from credentials.cryptosuite import ProofOptions, proof_create
from credentials.models import SigningKey, StatusList
from credentials.services.keys import (
    did_document,
    issuer_did,
    signing_key_active,
    signing_key_private,
    verification_method_id,
)
from credentials.services.status import status_list_document, status_list_url
from profiles import api as profiles_api


@require_GET
def issuer_did_document(request: HttpRequest, slug: str) -> JsonResponse:
    """`/issuers/<slug>/did.json`: what a did:web resolver fetches for the issuer's DID."""
    organization = profiles_api.organization_get_by_slug(slug=slug)
    if (
        organization is None
        or not SigningKey.objects.filter(organization_id=organization.id).exists()
    ):
        raise Http404
    response = JsonResponse(did_document(organization=organization))
    # Keys change rarely; a rotation shows within five minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def status_list_credential(request: HttpRequest, list_id: UUID) -> JsonResponse:
    """A Bitstring Status List, as a credential signed by its issuer. Verifiers cache it for a
    minute: a revocation is visible everywhere within that time."""
    status_list = StatusList.objects.filter(public_id=list_id).first()
    if status_list is None:
        raise Http404
    organization = profiles_api.organization_get_by_id(organization_id=status_list.organization_id)
    if organization is None:
        raise Http404
    key = signing_key_active(organization=organization)
    now = timezone.now()
    document = status_list_document(
        status_list=status_list,
        list_url=status_list_url(status_list),
        issuer_id=issuer_did(organization),
        valid_from=status_list.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    signed = proof_create(
        document=document,
        private_key=signing_key_private(key),
        options=ProofOptions(
            verification_method=verification_method_id(organization, key),
            created=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        ),
    )
    response = JsonResponse(signed)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
