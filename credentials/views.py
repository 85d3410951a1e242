"""Public pages of credentials: for now, the issuers' DID documents (did:web resolution)."""

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from credentials.models import SigningKey
from credentials.services.keys import did_document
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
