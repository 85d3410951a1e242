"""Public pages of credentials, no account needed: a credential's verification page, JSON,
PDF and QR code; checking any credential file; achievements; the issuers' DID documents
(did:web resolution) and the signed status lists."""

import io
import json
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import segno
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from credentials import documents, selectors
from credentials.certificate import certificate_pdf
from credentials.models import Credential
from credentials.services.issuance import credential_url
from credentials.services.keys import (
    did_document,
)
from credentials.services.status import status_list_published
from credentials.services.verification import (
    VERIFY_MAX_BYTES,
    verification_display,
    verify_here,
)
from credentials.verify import PASSED
from learnprofile.access import public_view
from learnprofile.errors import NotFound
from learnprofile.middleware import text_as_sent
from learnprofile.throttling import ScopedRateThrottle
from profiles import api as profiles_api


@public_view
@require_safe
def issuer_did_document(request: HttpRequest, slug: str) -> JsonResponse:
    """`/issuers/<slug>/did.json`: what a did:web resolver fetches for the issuer's DID."""
    organization = profiles_api.organization_get_by_slug(slug=slug)
    if organization is None or not selectors.organization_has_signing_key(
        organization_id=organization.id
    ):
        raise Http404
    response = JsonResponse(did_document(organization=organization))
    # Keys change rarely; a rotation shows within five minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public_view
@require_safe
def status_list_credential(request: HttpRequest, list_id: UUID) -> HttpResponse:
    """A Bitstring Status List, as a credential signed by its issuer (once per change of the
    list). Served with an ETag and `no-cache`: a verifier asks again each time, a revocation
    shows on its next fetch, and an unchanged list costs a 304."""
    try:
        signed, etag = status_list_published(list_id=list_id)
    except NotFound as error:
        raise Http404 from error
    headers = {
        "ETag": etag,
        "Cache-Control": "public, no-cache",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag",
    }
    # RFC 9110, 13.1.2: weak comparison; "*" matches any current representation.
    asked = parse_etags(request.headers.get("If-None-Match", ""))
    if "*" in asked or etag in [tag.removeprefix("W/") for tag in asked]:
        return HttpResponseNotModified(headers=headers)
    return JsonResponse(signed, headers=headers)


# --- Credentials, for anyone who holds the link ---------------------------------------------


def _credential_visible(request: HttpRequest, credential_id: UUID) -> Credential:
    """The credential if its page is public, or if the person asking is its holder."""
    try:
        return selectors.credential_visible(viewer_id=request.user.pk, credential_id=credential_id)
    except NotFound as error:
        raise Http404 from error


def _page_url(credential: Credential) -> str:
    """The credential's signed id (its verification page), which the QR code and the PDF
    show: what was signed, even if SITE_URL changed since."""
    signed = credential.document.get("id")
    return signed if isinstance(signed, str) and signed else credential_url(credential.public_id)


def _holder_name(credential: Credential) -> str:
    person = profiles_api.person_get(user_id=credential.learner_id)
    return person.full_name if person is not None else ""


def verification_context(document: Any) -> dict[str, Any]:
    return verification_display(verify_here(document))


@public_view
@require_safe
def credential_page(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    """The verification page that the QR code and the share link open: the verdict in plain
    words, what the credential says, and its JSON and PDF. JSON for a client that asks."""
    credential = _credential_visible(request, credential_id)
    accepted = request.headers.get("Accept", "")
    if "application/ld+json" in accepted or (
        "application/json" in accepted and "text/html" not in accepted
    ):
        return credential_json(request, credential_id)
    document = credential.document
    signed_name = documents.holder_name(document)
    qr = segno.make(_page_url(credential), error="m")
    response = render(
        request,
        "credentials/credential.html",
        {
            "credential": credential,
            "document": document,
            "achievement_document": document.get("credentialSubject", {}).get("achievement", {}),
            "issuer_name": (document.get("issuer") or {}).get("name", ""),
            # Everything shown comes from the signed document; the name on file only for a
            # credential issued before names were signed, and the page says so.
            "holder_name": signed_name or _holder_name(credential),
            "holder_name_signed": signed_name is not None,
            "valid_from": document.get("validFrom"),
            "valid_until": document.get("validUntil"),
            "hours": documents.result_value(document, documents.HOURS_RESULT),
            "attendance": documents.result_value(document, documents.ATTENDANCE_RESULT),
            "replaced_by": selectors.credential_latest_reissue(credential=credential),
            "page_url": _page_url(credential),
            "qr_svg": qr.svg_inline(
                scale=4, omitsize=True, title=str(_("Mã QR của trang kiểm tra"))
            ),
            "is_holder": credential.learner_id == request.user.pk,
            **verification_context(document),
        },
    )
    # The verdict must be current: revocations show at once on this page.
    response.headers["Cache-Control"] = "no-cache"
    return response


@public_view
@require_safe
def credential_json(request: HttpRequest, credential_id: UUID) -> JsonResponse:
    """The signed credential exactly as issued."""
    credential = _credential_visible(request, credential_id)
    response = JsonResponse(
        credential.document, content_type="application/ld+json", json_dumps_params={"indent": 2}
    )
    if request.GET.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="credential-{credential.public_id}.json"'
        )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public_view
@require_safe
def credential_pdf(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    credential = _credential_visible(request, credential_id)
    pdf = certificate_pdf(
        document=credential.document,
        page_url=_page_url(credential),
        revoked=credential.revoked_at is not None,
        holder_name_on_file=_holder_name(credential),
        achievement_image_png=(
            bytes(credential.achievement.image_png) if credential.achievement.image_png else None
        ),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{credential.public_id}.pdf"'
    )
    return response


@public_view
@require_safe
def credential_qr(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    credential = _credential_visible(request, credential_id)
    output = io.BytesIO()
    segno.make(_page_url(credential), error="m").save(output, kind="svg", scale=6, border=2)
    response = HttpResponse(output.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@public_view
@text_as_sent  # a signed document: NFC would change what was signed (decision 0009)
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Anyone checks a credential file (or pasted JSON) here, without an account; limited like
    the verification API (CREDENTIAL_VERIFY_RATE per person or address, the same counter)."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            raw = request.POST.get("credential", "")
            upload = request.FILES.get("file")
        except (RequestDataTooBig, TooManyFieldsSent):
            context["error"] = _("Tệp quá lớn (tối đa 256 KB).")
            return render(request, "credentials/verify.html", context, status=413)
        if upload is not None:
            raw = upload.read(VERIFY_MAX_BYTES + 1).decode("utf-8", errors="replace")
        throttle = ScopedRateThrottle()
        if not throttle.allow_request(request, _VERIFY_THROTTLE):  # type: ignore[arg-type]
            context["error"] = _(
                "Bạn đã kiểm tra nhiều lần liên tiếp; hãy thử lại sau %(seconds)s giây."
            ) % {"seconds": int(throttle.wait() or 60)}
            status = 429
        elif len(raw) > VERIFY_MAX_BYTES:
            context["error"] = _("Tệp quá lớn (tối đa 256 KB).")
        elif not raw.strip():
            context["error"] = _("Hãy chọn tệp chứng chỉ (JSON) hoặc dán nội dung của nó.")
        else:
            try:
                document = json.loads(raw)
            except RecursionError:  # nested deeper than Python parses
                context["error"] = _("Dữ liệu JSON lồng nhau quá sâu.")
            except ValueError:
                context["error"] = _("Đây không phải là một tệp JSON.")
            else:
                context.update(_uploaded_context(document))
    return render(request, "credentials/verify.html", context, status=status)


# The page counts in the API's scope: one limit per person or address, whichever door.
_VERIFY_THROTTLE = SimpleNamespace(throttle_scope="credential_verify")


def _uploaded_context(document: Any) -> dict[str, Any]:
    result = verify_here(document)
    context = verification_display(result)
    if isinstance(document, dict):
        subject = document.get("credentialSubject") or {}
        context["achievement_document"] = (
            subject.get("achievement") if isinstance(subject, dict) else None
        ) or {}
        issuer = document.get("issuer")
        context["issuer_name"] = issuer.get("name", "") if isinstance(issuer, dict) else ""
        # Said to be signed only when a proof of the issuer verified.
        is_signed = any(c.name == "proof" and c.outcome == PASSED for c in result.checks)
        context["is_signed"] = is_signed
        context["holder_name"] = documents.holder_name(document) if is_signed else None
    return context


# --- Achievements: what a credential's achievement id names ---------------------------------


@public_view
@require_safe
def achievement_page(request: HttpRequest, achievement_id: UUID) -> HttpResponse:
    achievement = selectors.achievement_get(achievement_id=achievement_id)
    if achievement is None:
        raise Http404
    organization = profiles_api.organization_get_by_id(organization_id=achievement.organization_id)
    return render(
        request,
        "credentials/achievement.html",
        {"achievement": achievement, "organization": organization},
    )


@public_view
@require_safe
def achievement_image(request: HttpRequest, achievement_id: UUID) -> HttpResponse:
    image = selectors.achievement_image_png(achievement_id=achievement_id)
    if image is None:
        raise Http404
    response = HttpResponse(image, content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
