"""The learner's side of attendance: checking in with the QR code or the typed code, and
claiming the records a center registered for them as a walk-in."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from courses.models import Session
from courses.services import checkin, walk_ins
from learnprofile.access import citizen_view
from learnprofile.client_address import client_address
from learnprofile.errors import DomainError


def _checkin_done(request: HttpRequest, mark: Any) -> HttpResponse:
    messages.success(request, _("Đã điểm danh: bạn có mặt ở buổi học này. Chúc bạn học tốt!"))
    return redirect("my_courses")


@citizen_view
def checkin_scan(request: HttpRequest, session_id: UUID, token: str) -> HttpResponse:
    """Opened from the QR code: one tap confirms (a GET never writes)."""
    error = None
    if request.method == "POST":
        try:
            mark = checkin.check_in_with_token(
                actor=request.user, session_id=session_id, token=token
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            return _checkin_done(request, mark)
    session = (
        Session.objects.select_related("offering__course").filter(public_id=session_id).first()
    )
    if session is None:
        raise Http404
    return render(
        request,
        "courses/attendance/checkin.html",
        {"session": session, "error": error, "scan": True},
        status=400 if error else 200,
    )


def _typed_code_page(
    request: HttpRequest, template: str, context: dict[str, Any], refusal: DomainError | None
) -> HttpResponse:
    """The page of a typed code, its form shown again with the refusal: 429 with Retry-After
    (whole seconds) while the person or their network must wait, as the API answers, 400 for
    any other refusal, 200 without one."""
    if refusal is None:
        return render(request, template, {**context, "error": None})
    waiting = refusal.http_status == 429
    response = render(
        request, template, {**context, "error": refusal.message}, status=429 if waiting else 400
    )
    if waiting and refusal.retry_after_seconds:
        response["Retry-After"] = str(refusal.retry_after_seconds)
    return response


@citizen_view
def checkin_code(request: HttpRequest) -> HttpResponse:
    """For phones that cannot scan: type the six digits shown on the screen."""
    refused = None
    if request.method == "POST":
        try:
            mark = checkin.check_in_with_code(
                actor=request.user,
                code=request.POST.get("code", "")[:20],
                client_address=client_address(request),
            )
        except DomainError as refusal:
            refused = refusal
        else:
            return _checkin_done(request, mark)
    return _typed_code_page(request, "courses/attendance/checkin.html", {"scan": False}, refused)


@citizen_view
def walk_in_claim(request: HttpRequest) -> HttpResponse:
    """The learner enters the code the center gave them to take their records."""
    refused = None
    if request.method == "POST":
        try:
            claim = walk_ins.walk_in_claim(
                actor=request.user,
                code=request.POST.get("code", "")[:40],
                client_address=client_address(request),
            )
        except DomainError as refusal:
            refused = refusal
        else:
            messages.success(
                request,
                _("Đã nhận hồ sơ: %(count)d lớp học đã chuyển về tài khoản của bạn.")
                % {"count": len(claim.enrollment_ids)},
            )
            return redirect("my_courses")
    return _typed_code_page(request, "courses/attendance/claim.html", {}, refused)
