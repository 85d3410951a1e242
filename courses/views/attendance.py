"""Attendance at the center, under /staff/ (MFA required): today's sessions, the roster form
that marks a whole class in one submit, the QR check-in screen, paper and CSV, closing an
offering. A session or learner of another center answers 404. Walk-in learners are in
views/walk_ins.py, the learner's check-in in views/checkin.py.

The roster works without JavaScript (a plain form). With it, `static/courses/roster.js`
keeps marks in a queue on the tablet while the network is down and sends them to the batch
API when it returns; `roster_service_worker` keeps the page itself available offline.
"""

import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import permissions, selectors
from courses.forms import MarksImportForm
from courses.models import AttendanceStatus, CompletionStatus, MarkSource, Offering, Session
from courses.services import attendance, checkin, completion
from courses.services.attendance_files import (
    COLUMNS,
    IMPORT_MAX_BYTES,
    marks_import_file,
    offering_attendance_rows,
    session_attendance_rows,
)
from learnprofile.absolute_urls import absolute_url
from learnprofile.access import staff_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from learnprofile.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, xlsx_bytes
from profiles import api as profiles_api

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "courses" / "roster-sw.js"


def _session(request: HttpRequest, session_id: UUID) -> Session:
    try:
        return attendance.session_for_staff(actor=request.user, session_id=session_id)
    except DomainError as error:
        raise Http404 from error


def _offering(request: HttpRequest, offering_id: UUID) -> Offering:
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or not permissions.may_take_attendance(request.user, offering):
        raise Http404
    return offering


@staff_view
def attendance_home(request: HttpRequest) -> HttpResponse:
    """Today's and the coming week's sessions of the staff member's centers."""
    organization_ids = permissions.center_organization_ids(request.user)
    if not organization_ids:
        raise Http404
    now = timezone.now()
    sessions = selectors.staff_sessions(organization_ids=organization_ids, now=now)
    today = timezone.localdate(now)
    return render(
        request,
        "courses/attendance/home.html",
        {
            "today_sessions": [s for s in sessions if timezone.localdate(s.starts_at) == today],
            "later_sessions": [s for s in sessions if timezone.localdate(s.starts_at) != today],
            "now": now,
        },
    )


def _marks_from_post(request: HttpRequest, session: Session) -> list[attendance.MarkInput]:
    """`status-<enrollment id>` and `note-<enrollment id>` fields; an id that is not a UUID
    is refused like a foreign one (the service checks the rest)."""
    marks = []
    for name, value in request.POST.items():
        if not name.startswith("status-") or not value:
            continue
        raw_id = name.removeprefix("status-")
        try:
            enrollment_id = uuid.UUID(raw_id)
        except ValueError as error:
            raise attendance.InvalidMarks(_("Danh sách điểm danh không hợp lệ.")) from error
        marks.append(
            attendance.MarkInput(
                session_id=session.public_id,
                enrollment_id=enrollment_id,
                status=value,
                note=request.POST.get(f"note-{raw_id}", ""),
            )
        )
    return marks


@staff_view
def session_roster(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """Mark the whole class in one submit: one request, one transaction."""
    session = _session(request, session_id)
    error = None
    if request.method == "POST":
        try:
            report = attendance.marks_record(
                actor=request.user,
                marks=_marks_from_post(request, session),
                source=MarkSource.ROSTER,
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                _("Đã lưu điểm danh: %(written)d thay đổi, %(unchanged)d không đổi.")
                % {"written": report.created + report.changed, "unchanged": report.unchanged},
            )
            return redirect("session_roster", session_id=session.public_id)
    rows = selectors.session_roster(session=session)
    return render(
        request,
        "courses/attendance/roster.html",
        {
            "session": session,
            "offering": session.offering,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "error": error,
            "marked": sum(1 for row in rows if row.mark is not None),
        },
        status=400 if error else 200,
    )


@staff_view
def session_checkin_screen(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """The QR code and the typed code, shown on the classroom screen. The page reloads itself
    each minute (a meta refresh: no JavaScript needed)."""
    session = _session(request, session_id)
    screen = checkin.checkin_screen(session=session)
    link = absolute_url(
        "checkin_scan", kwargs={"session_id": session.public_id, "token": screen.token}
    )
    qr = segno.make(link, error="m")
    seconds_left = max(int((screen.expires_at - timezone.now()).total_seconds()), 1)
    response = render(
        request,
        "courses/attendance/checkin_screen.html",
        {
            "session": session,
            "offering": session.offering,
            "screen": screen,
            "qr_svg": qr.svg_inline(scale=8, border=2, omitsize=True),
            "refresh": seconds_left + 1,
            # Typed on a phone that cannot scan: the address without its scheme.
            "code_address": absolute_url("checkin_code").partition("://")[2],
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@staff_view
def session_print(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """A paper roster (print CSS): one line per learner with a box per status."""
    session = _session(request, session_id)
    return render(
        request,
        "courses/attendance/print.html",
        {
            "session": session,
            "offering": session.offering,
            "rows": selectors.session_roster(session=session),
            "statuses": AttendanceStatus.choices,
        },
    )


def _spreadsheet_response(rows: list[list[Any]], file_format: str, stem: str) -> HttpResponse:
    """`rows` as a CSV (UTF-8 with BOM, formula guard) or .xlsx (counts as number cells,
    every text a text cell) download."""
    if file_format == "xlsx":
        response = HttpResponse(xlsx_bytes(rows, title=stem), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(csv_text(rows), content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@staff_view
def session_export(
    request: HttpRequest, session_id: UUID, file_format: str = "csv"
) -> HttpResponse:
    """The session's roster as CSV or .xlsx: also the import template."""
    session = _session(request, session_id)
    stamp = timezone.localtime(session.starts_at).strftime("%Y%m%d-%H%M")
    return _spreadsheet_response(
        session_attendance_rows(session=session), file_format, f"diem-danh-{stamp}"
    )


@staff_view
def offering_export(
    request: HttpRequest, offering_id: UUID, file_format: str = "csv"
) -> HttpResponse:
    """The offering's attendance, a column per session, as CSV or .xlsx."""
    offering = _offering(request, offering_id)
    return _spreadsheet_response(
        offering_attendance_rows(offering=offering),
        file_format,
        f"diem-danh-lop-{offering.starts_on:%Y%m%d}",
    )


@staff_view
def session_import(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = _session(request, session_id)
    form = MarksImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = marks_import_file(
                actor=request.user,
                session=session,
                content=upload.read(IMPORT_MAX_BYTES + 1),
                file_name=upload.name or "",
                content_type=upload.content_type or "",
            )
        except DomainError as error:
            form_error_add(form, error)
    return render(
        request,
        "courses/attendance/import.html",
        {
            "session": session,
            "offering": session.offering,
            "form": form,
            "report": report,
            "columns": COLUMNS,
        },
    )


def _assessment_results(request: HttpRequest) -> dict[UUID, bool]:
    results = {}
    for name, value in request.POST.items():
        if name.startswith("passed-") and value in ("yes", "no"):
            try:
                results[uuid.UUID(name.removeprefix("passed-"))] = value == "yes"
            except ValueError:
                continue
    return results


@staff_view
def offering_close(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    """A preview of each learner's result, then one button that closes the offering."""
    offering = _offering(request, offering_id)
    error = None
    if request.method == "POST":
        try:
            _closed, decided = completion.offering_close(
                actor=request.user,
                offering_id=offering.public_id,
                assessment_results=_assessment_results(request),
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                _("Lớp học đã kết thúc; đã xét kết quả cho %(count)d học viên.")
                % {"count": decided},
            )
            return redirect("offering_close", offering_id=offering.public_id)
    offering = _offering(request, offering_id)
    preview = completion.completion_preview(offering=offering)
    people = profiles_api.persons_get(user_ids={row["enrollment"].learner_id for row in preview})
    for row in preview:
        row["person"] = people.get(row["enrollment"].learner_id)
    return render(
        request,
        "courses/attendance/close.html",
        {
            "offering": offering,
            "rows": preview,
            "error": error,
            "is_finished": offering.status == "finished",
            "completed": CompletionStatus.COMPLETED,
        },
        status=400 if error else 200,
    )


@staff_view
def roster_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /staff/ so that it may control the roster pages."""
    response = HttpResponse(SERVICE_WORKER.read_text(), content_type="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
